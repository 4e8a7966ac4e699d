import { Head, Link, router, useForm } from "@inertiajs/react";
import { logOut } from "@/lib/log-out";
import { History, KeyRound, LogOut, Users } from "lucide-react";

import { CreditsCard } from "@/components/chart-credit";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { NotificationsCard, type NotificationSettingsProps } from "@/components/notifications-card";
import { SecretDialog } from "@/components/secret-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { AppLayout } from "@/layouts/app-layout";
import { formatDateTime } from "@/lib/utils";
import type { ExchangeAccountRow, SecretProp } from "@/types";

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
  secret: SecretProp | null;
  password_rules: string[];
  accounts: ExchangeAccountRow[];
  environments: { value: string; label: string }[];
  notifications: NotificationSettingsProps;
}

function TokensCard({ tokens }: { tokens: TokenRow[] }) {
  const { errors } = useShared();
  const form = useForm({ name: "" });
  return (
    <Card>
      <CardHeader>
        <CardTitle>API tokens</CardTitle>
      </CardHeader>
      <p className="mb-3 text-sm text-muted">For scripts calling the JSON API; shown once.</p>
      {tokens.length > 0 && (
        <ul className="mb-3 divide-y divide-border">
          {tokens.map((t) => (
            <li key={t.id} className="flex items-center justify-between gap-3 py-2 text-sm">
              <div className="min-w-0">
                <div className="truncate">{t.name || "Unnamed token"}</div>
                <div className="font-mono text-xs text-muted">
                  egis_{t.prefix}_•••• · used{" "}
                  {t.last_used_at ? formatDateTime(t.last_used_at) : "never"}
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
                  onConfirm={(done) =>
                    router.post(
                      `/settings/tokens/${t.id}/revoke`,
                      {},
                      { preserveScroll: true, onFinish: done },
                    )
                  }
                  trigger={
                    <Button variant="danger-outline" size="sm">
                      Revoke
                    </Button>
                  }
                />
              )}
            </li>
          ))}
        </ul>
      )}
      <Label htmlFor="token-name">Token name</Label>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          form.post("/settings/tokens", { preserveScroll: true, onSuccess: () => form.reset() });
        }}
      >
        <Input
          id="token-name"
          placeholder="e.g. backtest script"
          value={form.data.name}
          onChange={(e) => form.setData("name", e.target.value)}
        />
        <Button type="submit" variant="secondary" pending={form.processing}>
          <KeyRound className="size-4" aria-hidden /> Create
        </Button>
      </form>
      <FieldError message={errors.token} />
    </Card>
  );
}

function PasswordCard({ rules }: { rules: string[] }) {
  const { errors, auth } = useShared();
  const form = useForm({ current_password: "", new_password: "", confirm_password: "" });
  const mismatch =
    form.data.confirm_password !== "" && form.data.confirm_password !== form.data.new_password;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
      </CardHeader>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          form.post("/settings/password", { preserveScroll: true, onFinish: () => form.reset() });
        }}
      >
        {/* For password managers: the account the new password belongs to. */}
        <input
          type="hidden"
          name="username"
          autoComplete="username"
          value={auth.user?.username ?? ""}
          readOnly
        />
        <div>
          <Label htmlFor="pw-current">Current password</Label>
          <Input
            id="pw-current"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={errors.current_password ? true : undefined}
            value={form.data.current_password}
            onChange={(e) => form.setData("current_password", e.target.value)}
          />
          <FieldError message={errors.current_password} />
        </div>
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <Label htmlFor="pw-new">New password</Label>
            <Input
              id="pw-new"
              type="password"
              autoComplete="new-password"
              required
              aria-describedby="pw-rules"
              value={form.data.new_password}
              onChange={(e) => form.setData("new_password", e.target.value)}
            />
          </div>
          <div>
            <Label htmlFor="pw-confirm">Confirm new password</Label>
            <Input
              id="pw-confirm"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={mismatch || undefined}
              value={form.data.confirm_password}
              onChange={(e) => form.setData("confirm_password", e.target.value)}
            />
          </div>
        </div>
        <ul id="pw-rules" className="list-disc space-y-0.5 pl-5 text-xs text-muted">
          {rules.map((rule) => (
            <li key={rule}>{rule}</li>
          ))}
        </ul>
        <p className="text-xs text-muted">
          Changing it logs out your other sessions; this one stays.
        </p>
        <FieldError
          message={errors.password ?? (mismatch ? "The two new passwords differ." : undefined)}
        />
        <Button type="submit" variant="secondary" pending={form.processing} disabled={mismatch}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

function AccountsCard({
  accounts,
  environments,
}: {
  accounts: ExchangeAccountRow[];
  environments: Props["environments"];
}) {
  const { errors } = useShared();
  const form = useForm({
    label: "",
    environment: environments[0]?.value ?? "demo",
    api_key: "",
    api_secret: "",
  });
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
            <Input
              id="acc-label"
              value={form.data.label}
              onChange={(e) => form.setData("label", e.target.value)}
            />
          </div>
          <div>
            <Label htmlFor="acc-env">Environment</Label>
            <Select
              id="acc-env"
              value={form.data.environment}
              onChange={(e) => form.setData("environment", e.target.value)}
            >
              {environments.map((env) => (
                <option key={env.value} value={env.value}>
                  {env.label}
                </option>
              ))}
            </Select>
          </div>
          <div>
            <Label htmlFor="acc-key">API key</Label>
            <Input
              id="acc-key"
              autoComplete="off"
              spellCheck={false}
              value={form.data.api_key}
              onChange={(e) => form.setData("api_key", e.target.value)}
            />
          </div>
          <div>
            <Label htmlFor="acc-secret">API secret</Label>
            <Input
              id="acc-secret"
              type="password"
              autoComplete="new-password"
              value={form.data.api_secret}
              onChange={(e) => form.setData("api_secret", e.target.value)}
            />
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

export default function SettingsPage({
  tokens,
  secret,
  password_rules,
  accounts,
  environments,
  notifications,
}: Props) {
  const { auth } = useShared();
  return (
    <AppLayout title="Settings" section="settings">
      <Head title="Settings · Egis" />
      <Card>
        <CardHeader>
          <CardTitle>Profile</CardTitle>
          <Badge tone={auth.user?.is_admin ? "accent" : "neutral"}>
            {auth.user?.is_admin ? "Admin" : "User"}
          </Badge>
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
          <Button variant="secondary" size="sm" onClick={logOut}>
            <LogOut className="size-4" aria-hidden /> Log out
          </Button>
        </div>
      </Card>
      <PasswordCard rules={password_rules} />
      <TokensCard tokens={tokens} />
      {/* Dismissing replaces the history entry that holds the token (Inertia keeps page props
          in history state), so Back cannot bring it back either. */}
      <SecretDialog
        secret={secret}
        onDismiss={() => router.visit("/settings", { replace: true, preserveScroll: true })}
      />
      <AccountsCard accounts={accounts} environments={environments} />
      <NotificationsCard settings={notifications} />
      <CreditsCard />
    </AppLayout>
  );
}
