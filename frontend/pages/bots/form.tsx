import { Head, useForm } from "@inertiajs/react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";

interface Option {
  value: string;
  label: string;
}

interface Props {
  mode: "create" | "edit";
  bot: { id: number; name: string; venue: string; symbol: string; budget_usd: string; leverage: number; is_active: boolean } | null;
  venues: Option[];
  symbols: Record<string, string[]>;
  accounts: Option[];
}

export default function BotForm({ mode, bot, venues, symbols, accounts }: Props) {
  const { errors } = useShared();
  const form = useForm({
    name: bot?.name ?? "",
    venue: bot?.venue ?? "paper",
    symbol: bot?.symbol ?? "",
    budget_usd: bot?.budget_usd ?? "",
    leverage: String(bot?.leverage ?? 1),
    exchange_account: "",
    is_active: bot?.is_active ?? true,
  });
  const editing = mode === "edit" && bot !== null;
  const url = editing ? `/bots/${bot.id}/edit` : "/bots/new";
  const title = editing ? `Edit ${bot.name}` : "New bot";
  const symbolChoices = symbols[form.data.venue] ?? [];
  return (
    <AppLayout
      title={title}
      section="bots"
      back={editing ? { href: `/bots/${bot.id}`, label: "Bot" } : { href: "/", label: "Bots" }}
    >
      <Head title={`${title} · Egis`} />
      <Card>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            form.post(url);
          }}
        >
          {errors.form && (
            <p role="alert" className="rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg">
              {errors.form}
            </p>
          )}
          <div>
            <Label htmlFor="name">Name</Label>
            <Input id="name" value={form.data.name} maxLength={80} onChange={(e) => form.setData("name", e.target.value)} />
            <FieldError message={errors.name} />
          </div>
          {!editing && (
            <>
              <div>
                <Label htmlFor="venue">Venue</Label>
                <Select id="venue" value={form.data.venue} onChange={(e) => form.setData("venue", e.target.value)}>
                  {venues.map((v) => (
                    <option key={v.value} value={v.value}>
                      {v.label}
                    </option>
                  ))}
                </Select>
              </div>
              {form.data.venue !== "paper" && (
                <div>
                  <Label htmlFor="exchange_account">Exchange account</Label>
                  <Select
                    id="exchange_account"
                    value={form.data.exchange_account}
                    onChange={(e) => form.setData("exchange_account", e.target.value)}
                  >
                    <option value="">Choose an account…</option>
                    {accounts.map((a) => (
                      <option key={a.value} value={a.value}>
                        {a.label}
                      </option>
                    ))}
                  </Select>
                  {accounts.length === 0 && (
                    <p className="mt-1.5 text-sm text-muted">Add an exchange account under Settings first.</p>
                  )}
                  <FieldError message={errors.exchange_account} />
                </div>
              )}
              <div>
                <Label htmlFor="symbol">Symbol</Label>
                <Input
                  id="symbol"
                  list="symbol-choices"
                  autoCapitalize="characters"
                  placeholder="BTCUSDT"
                  value={form.data.symbol}
                  onChange={(e) => form.setData("symbol", e.target.value.toUpperCase())}
                />
                <datalist id="symbol-choices">
                  {symbolChoices.map((s) => (
                    <option key={s} value={s} />
                  ))}
                </datalist>
                <FieldError message={errors.symbol} />
              </div>
            </>
          )}
          <div className="grid grid-cols-2 gap-3">
            <div>
              <Label htmlFor="budget_usd">Budget (USD)</Label>
              <Input
                id="budget_usd"
                inputMode="decimal"
                className="num"
                placeholder="100.00"
                value={form.data.budget_usd}
                onChange={(e) => form.setData("budget_usd", e.target.value)}
              />
              <FieldError message={errors.budget_usd} />
            </div>
            <div>
              <Label htmlFor="leverage">Leverage</Label>
              <Input
                id="leverage"
                inputMode="numeric"
                className="num"
                value={form.data.leverage}
                onChange={(e) => form.setData("leverage", e.target.value)}
              />
              <FieldError message={errors.leverage} />
            </div>
          </div>
          {editing && (
            <label className="flex min-h-11 items-center gap-3 text-sm">
              <input
                type="checkbox"
                className="size-5 accent-accent"
                checked={form.data.is_active}
                onChange={(e) => form.setData("is_active", e.target.checked)}
              />
              Active (inactive bots refuse new opens)
            </label>
          )}
          <Button type="submit" size="block" pending={form.processing}>
            {editing ? "Save changes" : "Create bot"}
          </Button>
        </form>
      </Card>
    </AppLayout>
  );
}
