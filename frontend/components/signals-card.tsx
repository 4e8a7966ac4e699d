import { Link, router } from "@inertiajs/react";
import { Power, RadioTower } from "lucide-react";
import * as React from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyButton } from "@/components/copy-button";
import { SignalItem } from "@/components/signal-item";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { formatRecentTime } from "@/lib/utils";
import type { SignalsCardProps } from "@/types";

/** The bot's webhook, the TradingView message to paste, and what the last signals did. */
export function SignalsCard({ botId, card }: { botId: number; card: SignalsCardProps }) {
  const { errors } = useShared();
  const [pending, setPending] = React.useState(false);
  const post = (url: string, data: Record<string, string> = {}, done?: () => void) => {
    setPending(true);
    router.post(url, data, {
      preserveScroll: true,
      onFinish: () => {
        setPending(false);
        done?.();
      },
    });
  };
  const hook = card.hook;
  return (
    <Card data-testid="signals-card">
      <CardHeader className="flex-wrap">
        <CardTitle>Signals</CardTitle>
        {hook && (
          <div className="flex items-center gap-2">
            <span className="text-sm" data-testid="signals-state">
              Signals: <strong className="font-semibold">{hook.enabled ? "On" : "Off"}</strong>
            </span>
            <Button
              variant="secondary"
              size="sm"
              pending={pending}
              onClick={() =>
                post(`/bots/${botId}/hook/enabled`, { enabled: hook.enabled ? "off" : "on" })
              }
            >
              <Power className="size-4" aria-hidden /> {hook.enabled ? "Turn off" : "Turn on"}
            </Button>
          </div>
        )}
      </CardHeader>
      <FieldError message={errors.signals} />
      {hook === null ? (
        <div className="space-y-3 text-sm">
          <p className="text-muted">
            Let a TradingView alert or a script trade this bot: each signal becomes explicit open
            and close orders, exactly once, and every signal is listed here with what it did.
          </p>
          <Button pending={pending} onClick={() => post(`/bots/${botId}/hook`)}>
            <RadioTower className="size-4" aria-hidden /> Create webhook
          </Button>
        </div>
      ) : (
        <div className="space-y-4">
          {!hook.enabled && (
            <p
              role="status"
              className="rounded-lg border border-warn-border bg-warn-surface p-3 text-sm text-warn-fg"
            >
              Signals are off: new signals are recorded and rejected, nothing is traded.
            </p>
          )}
          <div>
            <div className="mb-1 flex items-center justify-between gap-2">
              <span className="text-sm font-medium">Webhook URL</span>
              <CopyButton value={hook.url} label="Webhook URL" />
            </div>
            <code
              className="block rounded-lg border border-border bg-bg p-2 font-mono text-xs break-all select-all"
              data-testid="hook-url"
            >
              {hook.url}
            </code>
            {hook.reach_note && (
              <p className="mt-1 text-sm text-warn" data-testid="hook-reach-note">
                {hook.reach_note}
              </p>
            )}
            {hook.refused && (
              <p className="mt-1 text-sm text-warn" data-testid="hook-refused">
                {hook.refused.count} {hook.refused.count === 1 ? "request" : "requests"} refused
                {hook.refused.last_at && (
                  <> (last {formatRecentTime(hook.refused.last_at)})</>
                )}: {hook.refused.last_reason}. Nothing was recorded or traded for{" "}
                {hook.refused.count === 1 ? "it" : "them"}: check the secret your alert or script
                sends.
              </p>
            )}
          </div>
          <details className="text-sm">
            <summary className="min-h-11 cursor-pointer py-2.5 font-medium">
              TradingView message
            </summary>
            <p className="mb-2 text-muted">
              Paste it as the alert&apos;s message with your secret in place of YOUR-SECRET. The
              secret is shown once, when the webhook is made: if you don&apos;t have it, use Rotate
              URL and secret below (the old URL stops working). The target follows the
              strategy&apos;s position; size_usd is what each open spends.
            </p>
            <div className="mb-1 flex justify-end">
              <CopyButton value={card.template} label="TradingView message" />
            </div>
            <pre className="rounded-lg border border-border bg-bg p-2 font-mono text-xs break-all whitespace-pre-wrap">
              {card.template}
            </pre>
          </details>
          <div className="flex flex-wrap gap-2 border-t border-border pt-3">
            <ConfirmDialog
              title="Rotate the webhook?"
              description="A new URL and secret are made and shown once; the old ones stop working at once. Update the alert afterwards."
              confirmLabel="Rotate"
              onConfirm={(done) => post(`/bots/${botId}/hook/rotate`, {}, done)}
              trigger={
                <Button variant="secondary" size="sm">
                  Rotate URL and secret
                </Button>
              }
            />
            <ConfirmDialog
              title="Revoke the webhook?"
              description="Its URL and secret stop working at once; signals already recorded stay listed."
              confirmLabel="Revoke"
              destructive
              onConfirm={(done) => post(`/bots/${botId}/hook/revoke`, {}, done)}
              trigger={
                <Button variant="danger-outline" size="sm">
                  Revoke
                </Button>
              }
            />
          </div>
        </div>
      )}
      <div className="mt-4 border-t border-border pt-3">
        <h3 className="mb-2 text-sm font-medium">
          Last signals{" "}
          {card.total > card.signals.length && (
            <span className="text-muted">
              ({card.signals.length} of {card.total})
            </span>
          )}
        </h3>
        {card.signals.length === 0 ? (
          <p className="text-sm text-muted">No signals yet.</p>
        ) : (
          <ul className="space-y-2">
            {card.signals.map((s) => (
              <SignalItem
                key={s.id}
                signal={s}
                positionHref={(id) => `#position-${id}`}
                className="rounded-lg border border-border bg-bg p-3"
              />
            ))}
          </ul>
        )}
        {card.total > card.signals.length && (
          <Link
            href={`/bots/${botId}/activity?tab=signals`}
            className="mt-2 inline-flex min-h-11 items-center rounded-lg px-2 text-sm text-muted hover:bg-surface-2 hover:text-fg"
            data-testid="signals-all"
          >
            All {card.total} signals →
          </Link>
        )}
      </div>
    </Card>
  );
}
