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

type RiskField = "max_open_positions" | "max_order_usd" | "cooldown_s" | "daily_loss_limit_usd";

// The risk limits, each optional (empty: off). The server parses and checks them (egis.ledger.risk).
const RISK_FIELDS: {
  name: RiskField;
  label: string;
  help: string;
  decimal: boolean;
  placeholder: string;
}[] = [
  {
    name: "max_open_positions",
    label: "Max open positions",
    help: "Opens are refused while this many positions are open.",
    decimal: false,
    placeholder: "Off (e.g. 3)",
  },
  {
    name: "max_order_usd",
    label: "Max USD per order",
    help: "The largest amount one open may ask for.",
    decimal: true,
    placeholder: "Off (e.g. 50.00)",
  },
  {
    name: "cooldown_s",
    label: "Cooldown (seconds)",
    help: "Time an open must wait after the bot's last open order was sent.",
    decimal: false,
    placeholder: "Off (e.g. 60)",
  },
  {
    name: "daily_loss_limit_usd",
    label: "Daily loss limit (USD)",
    help: "Once today's realized PnL (closed positions, net of fees) loses this much, opens halt until 00:00 UTC.",
    decimal: true,
    placeholder: "Off (e.g. 20.00)",
  },
];

interface Props {
  mode: "create" | "edit";
  bot:
    | ({
        id: number;
        name: string;
        venue: string;
        symbol: string;
        budget_usd: string;
        leverage: number;
        is_active: boolean;
        paused_note: string;
      } & Record<RiskField, string>)
    | null;
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
    max_open_positions: bot?.max_open_positions ?? "",
    max_order_usd: bot?.max_order_usd ?? "",
    cooldown_s: bot?.cooldown_s ?? "",
    daily_loss_limit_usd: bot?.daily_loss_limit_usd ?? "",
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
            <p
              role="alert"
              className="rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg"
            >
              {errors.form}
            </p>
          )}
          <div>
            <Label htmlFor="name">Name</Label>
            <Input
              id="name"
              aria-invalid={errors.name ? true : undefined}
              value={form.data.name}
              maxLength={80}
              onChange={(e) => form.setData("name", e.target.value)}
            />
            <FieldError message={errors.name} />
          </div>
          {!editing && (
            <>
              <div>
                <Label htmlFor="venue">Venue</Label>
                <Select
                  id="venue"
                  value={form.data.venue}
                  onChange={(e) => form.setData("venue", e.target.value)}
                >
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
                    aria-invalid={errors.exchange_account ? true : undefined}
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
                    <p className="mt-1.5 text-sm text-muted">
                      Add an exchange account under Settings first.
                    </p>
                  )}
                  <FieldError message={errors.exchange_account} />
                </div>
              )}
              <div>
                <Label htmlFor="symbol">Symbol</Label>
                <Input
                  id="symbol"
                  aria-invalid={errors.symbol ? true : undefined}
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
                aria-invalid={errors.budget_usd ? true : undefined}
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
                aria-invalid={errors.leverage ? true : undefined}
                inputMode="numeric"
                className="num"
                value={form.data.leverage}
                onChange={(e) => form.setData("leverage", e.target.value)}
              />
              <FieldError message={errors.leverage} />
            </div>
          </div>
          <div className="border-t border-border pt-4">
            <fieldset className="space-y-3" data-testid="risk-limit-fields">
              <legend className="text-sm font-medium">
                Risk limits{" "}
                <span className="font-normal text-muted">(optional: leave empty for off)</span>
              </legend>
              <p className="text-sm text-muted">
                Checked before every open, whether from this page, the API, the CLI or a signal.
                Closes are never limited.
              </p>
              <div className="grid gap-3 sm:grid-cols-2">
                {RISK_FIELDS.map((f) => (
                  <div key={f.name}>
                    <Label htmlFor={f.name}>{f.label}</Label>
                    <Input
                      id={f.name}
                      inputMode={f.decimal ? "decimal" : "numeric"}
                      className="num"
                      placeholder={f.placeholder}
                      aria-describedby={`${f.name}-help`}
                      aria-invalid={errors[f.name] ? true : undefined}
                      value={form.data[f.name]}
                      onChange={(e) => form.setData(f.name, e.target.value)}
                    />
                    <p id={`${f.name}-help`} className="mt-1 text-xs text-muted">
                      {f.help}
                    </p>
                    <FieldError message={errors[f.name]} />
                  </div>
                ))}
              </div>
            </fieldset>
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
          {editing && bot.paused_note && (
            <p className="text-sm text-warn" data-testid="paused-note">
              {bot.paused_note}
            </p>
          )}
          <Button type="submit" size="block" pending={form.processing}>
            {editing ? "Save changes" : "Create bot"}
          </Button>
        </form>
      </Card>
    </AppLayout>
  );
}
