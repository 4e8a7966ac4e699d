import { Head, Link, router, useForm } from "@inertiajs/react";
import { History, KeyRound, LogOut, Users } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import { formatDateTime } from "@/lib/utils";
import type { ExchangeAccountRow } from "@/types";

interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked: boolean;
}

interface Props {
  tokens: TokenRow[];
  new_token: string | null;
  accounts: ExchangeAccountRow[];
  environments: { value: string; label: string }[];
}

function TokensCard({ tokens, newToken }: { tokens: TokenRow[]; newToken: string | null }) {
  const { errors } = useShared();
  const form = useForm({ name: "" });
  return (
    <Card>
      <CardHeader>
        <CardTitle>API tokens</CardTitle>
      </CardHeader>
      {newToken && (
        <div className="mb-3 rounded-lg border border-[#1f5a36] bg-[#0e2418] p-3 text-sm" role="status">
          <p className="mb-1 font-medium text-[#bbf7d0]">Copy your new token now: it is shown only once.</p>
          <code className="block font-mono text-xs break-all select-all" data-testid="new-token">
            {newToken}
          </code>
        </div>
      )}
      {tokens.length > 0 && (
        <ul className="mb-3 divide-y divide-border">
          {tokens.map((t) => (
            <li key={t.id} className="flex items-center justify-between gap-3 py-2 text-sm">
              <div className="min-w-0">
                <div className="truncate">{t.name || "Unnamed token"}</div>
                <div className="font-mono text-xs text-muted">
                  egis_{t.prefix}_•••• · used {t.last_used_at ? formatDateTime(t.last_used_at) : "never"}
                </div>
              </div>
              {t.revoked ? (
                <Badge>Revoked</Badge>
              ) : (
                <ConfirmDialog
                  title="Revoke this token?"
                  description={`Scripts using egis_${t.prefix}_… stop working at once. This cannot be undone.`}
                  confirmLabel="Revoke token"
                  destructive
                  onConfirm={(done) => router.post(`/settings/tokens/${t.id}/revoke`, {}, { preserveScroll: true, onFinish: done })}
                  trigger={<Button variant="danger-outline" size="sm">Revoke</Button>}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          form.post("/settings/tokens", { preserveScroll: true, onSuccess: () => form.reset() });
        }}
      >
        <Input aria-label="Token name" placeholder="e.g. backtest script" value={form.data.name} onChange={(e) => form.setData("name", e.target.value)} />
        <Button type="submit" variant="secondary" pending={form.processing}>
          <KeyRound className="size-4" aria-hidden /> Create
        </Button>
      </form>
      <FieldError message={errors.token} />
    </Card>
  );
}

function AccountsCard({ accounts, environments }: { accounts: ExchangeAccountRow[]; environments: Props["environments"] }) {
  const { errors } = useShared();
  const form = useForm({ label: "", environment: environments[0]?.value ?? "demo", api_key: "", api_secret: "" });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Exchange accounts</CardTitle>
      </CardHeader>
      {accounts.length === 0 ? (
        <p className="mb-3 text-sm text-muted">No exchange accounts. Paper bots need none.</p>
      ) : (
        <ul className="mb-3 divide-y divide-border">
          {accounts.map((a) => (
            <li key={a.id} className="py-2 text-sm">
              <div className="flex items-center gap-2">
                <span className="font-medium">{a.label || `Account #${a.id}`}</span>
                <Badge tone="accent">{a.environment_label}</Badge>
              </div>
              <div className="mt-0.5 font-mono text-xs text-muted">
                key {a.api_key_masked} · secret {a.api_secret_masked}
              </div>
            </li>
          ))}
        </ul>
      )}
      <form
        className="space-y-3 border-t border-border pt-3"
        autoComplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          form.post("/settings/accounts", { preserveScroll: true, onSuccess: () => form.reset() });
        }}
      >
        <p className="text-sm font-medium">Add a Binance account</p>
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <Label htmlFor="acc-label">Label</Label>
            <Input id="acc-label" value={form.data.label} onChange={(e) => form.setData("label", e.target.value)} />
          </div>
          <div>
            <Label htmlFor="acc-env">Environment</Label>
            <Select id="acc-env" value={form.data.environment} onChange={(e) => form.setData("environment", e.target.value)}>
              {environments.map((env) => (
                <option key={env.value} value={env.value}>
                  {env.label}
                </option>
              ))}
            </Select>
          </div>
          <div>
            <Label htmlFor="acc-key">API key</Label>
            <Input id="acc-key" autoComplete="off" spellCheck={false} value={form.data.api_key} onChange={(e) => form.setData("api_key", e.target.value)} />
          </div>
          <div>
            <Label htmlFor="acc-secret">API secret</Label>
            <Input id="acc-secret" type="password" autoComplete="new-password" value={form.data.api_secret} onChange={(e) => form.setData("api_secret", e.target.value)} />
          </div>
        </div>
        <FieldError message={errors.account} />
        <p className="text-xs text-muted">The secret is encrypted at rest and never shown again.</p>
        <Button type="submit" variant="secondary" pending={form.processing}>
          Add account
        </Button>
      </form>
    </Card>
  );
}

export default function SettingsPage({ tokens, new_token, accounts, environments }: Props) {
  const { auth } = useShared();
  return (
    <AppLayout title="Settings" section="settings">
      <Head title="Settings · Egis" />
      <Card>
        <CardHeader>
          <CardTitle>Profile</CardTitle>
          <Badge tone={auth.user?.is_admin ? "accent" : "neutral"}>{auth.user?.is_admin ? "Admin" : "User"}</Badge>
        </CardHeader>
        <p className="text-sm">
          Signed in as <strong>{auth.user?.username}</strong>
        </p>
        <div className="mt-3 flex flex-wrap gap-2 lg:hidden">
          {auth.user?.is_admin && (
            <Button asChild variant="secondary" size="sm">
              <Link href="/users">
                <Users className="size-4" aria-hidden /> Users
              </Link>
            </Button>
          )}
          {auth.user?.is_admin && (
            <Button asChild variant="secondary" size="sm">
              <Link href="/audit">
                <History className="size-4" aria-hidden /> Audit
              </Link>
            </Button>
          )}
          <Button variant="secondary" size="sm" onClick={() => router.post("/logout")}>
            <LogOut className="size-4" aria-hidden /> Log out
          </Button>
        </div>
      </Card>
      <TokensCard tokens={tokens} newToken={new_token} />
      <AccountsCard accounts={accounts} environments={environments} />
    </AppLayout>
  );
}
