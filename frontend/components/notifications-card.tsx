import { router, useForm } from "@inertiajs/react";
import { BellRing, Send } from "lucide-react";
import * as React from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { formatDateTime } from "@/lib/utils";

export interface NotificationDelivery {
  id: number;
  channel: "telegram" | "webhook";
  event: string;
  bot_id: number | null;
  text: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  last_error: string;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

export interface NotificationSettingsProps {
  telegram: { configured: boolean; chat_id: string; token_masked: string };
  webhook: { configured: boolean; url: string };
  events: string[];
  event_choices: { value: string; label: string }[];
  log: NotificationDelivery[];
}

const TEST_RELOAD_MS = 2500;
const STATUS_TONE = { sent: "gain", pending: "warn", failed: "danger" } as const;
const STATUS_WORD = { sent: "Sent", pending: "Retrying", failed: "Failed" } as const;

export function DeliveryLog({ log }: { log: NotificationDelivery[] }) {
  if (log.length === 0) {
    return <p className="text-sm text-muted">Nothing sent yet.</p>;
  }
  return (
    <ul className="divide-y divide-border" data-testid="notification-log">
      {log.map((d) => {
        // A row that has not been tried yet is queued, not retrying.
        const word = d.status === "pending" && d.attempts === 0 ? "Queued" : STATUS_WORD[d.status];
        return (
          <li key={d.id} className="py-2 text-sm">
            <div className="flex items-start justify-between gap-2">
              <span className="line-clamp-2 min-w-0 break-words">{d.text}</span>
              <Badge tone={STATUS_TONE[d.status]}>{word}</Badge>
            </div>
            <div className="mt-0.5 text-xs text-muted">
              {d.channel === "telegram" ? "Telegram" : "Webhook"} ·{" "}
              {formatDateTime(d.sent_at ?? d.created_at)}
              {d.attempts > 1 && ` · ${d.attempts} attempts`}
              {d.status === "pending" && d.next_attempt_at && d.attempts > 0 && (
                <> · next try {formatDateTime(d.next_attempt_at)}</>
              )}
            </div>
            {d.last_error && (
              <p className="mt-0.5 text-xs break-words text-error">Last error: {d.last_error}</p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Settings → Notifications: a Telegram chat and/or a signed webhook, the events to tell, a
 * test message and the delivery log. The bot token is never sent back to the page (only a
 * mask); the webhook secret is shown once by the page's secret dialog. */
export function NotificationsCard({ settings }: { settings: NotificationSettingsProps }) {
  const { errors } = useShared();
  const form = useForm({
    telegram_token: "",
    telegram_chat_id: settings.telegram.chat_id,
    webhook_url: settings.webhook.url,
    events: settings.events,
  });
  const [testing, setTesting] = React.useState(false);
  // Fields edited since the last answer: their old error no longer describes what is typed.
  const [edited, setEdited] = React.useState<string[]>([]);
  type Field = "telegram_token" | "telegram_chat_id" | "webhook_url";
  const edit = (field: Field, value: string) => {
    form.setData(field, value);
    setEdited((was) => (was.includes(field) ? was : [...was, field]));
  };
  const errorOf = (field: Field) => (edited.includes(field) ? undefined : errors[field]);
  const anyChannel = settings.telegram.configured || settings.webhook.configured;
  const toggle = (kind: string, on: boolean) =>
    form.setData(
      "events",
      on ? [...form.data.events, kind] : form.data.events.filter((k) => k !== kind),
    );
  const remove = (data: Record<string, string>, done: () => void) =>
    router.post("/settings/notifications", data, { preserveScroll: true, onFinish: done });

  return (
    <Card data-testid="notifications-card">
      <CardHeader>
        <CardTitle>Notifications</CardTitle>
        <Badge tone={anyChannel ? "gain" : "neutral"}>{anyChannel ? "On" : "Off"}</Badge>
      </CardHeader>
      <p className="mb-3 text-sm text-muted">
        Be told when something happens: sent by the worker, never slowing an order.
      </p>
      <form
        className="space-y-4"
        autoComplete="off"
        // The server says what is wrong, in the form's words ("not a web address"), rather
        // than the browser's own tooltip.
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setEdited([]);
          // The token is never sent back by the server. Saved: the field empties (the mask
          // shows it is kept). Refused: what was typed stays in this form, to fix the rest.
          let refused = false;
          form.post("/settings/notifications", {
            preserveScroll: true,
            onError: () => {
              refused = true;
            },
            onFinish: () => {
              if (!refused) form.setData("telegram_token", "");
            },
          });
        }}
      >
        <fieldset className="space-y-3">
          <legend className="mb-2 flex items-center gap-2 text-sm font-medium">
            Telegram
            {settings.telegram.configured && (
              <span className="font-mono text-xs text-muted">
                token {settings.telegram.token_masked}
              </span>
            )}
          </legend>
          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <Label htmlFor="tg-token">Bot token</Label>
              <Input
                id="tg-token"
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                placeholder={
                  settings.telegram.configured ? "kept; type to replace" : "from @BotFather"
                }
                aria-invalid={errorOf("telegram_token") ? true : undefined}
                value={form.data.telegram_token}
                onChange={(e) => edit("telegram_token", e.target.value)}
              />
              <FieldError message={errorOf("telegram_token")} />
            </div>
            <div>
              <Label htmlFor="tg-chat">Chat id</Label>
              <Input
                id="tg-chat"
                inputMode="text"
                spellCheck={false}
                placeholder="e.g. 123456789"
                aria-invalid={errorOf("telegram_chat_id") ? true : undefined}
                value={form.data.telegram_chat_id}
                onChange={(e) => edit("telegram_chat_id", e.target.value)}
              />
              <FieldError message={errorOf("telegram_chat_id")} />
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend className="mb-2 text-sm font-medium">Webhook</legend>
          <Label htmlFor="wh-url">Address Egis posts each event to</Label>
          <Input
            id="wh-url"
            type="url"
            inputMode="url"
            spellCheck={false}
            placeholder="https://example.com/egis"
            aria-invalid={errorOf("webhook_url") ? true : undefined}
            value={form.data.webhook_url}
            onChange={(e) => edit("webhook_url", e.target.value)}
          />
          <FieldError message={errorOf("webhook_url")} />
          <p className="mt-1 text-xs text-muted">
            Each event is posted as JSON and signed, so your receiver can check it came from Egis;
            the signing secret is shown once, when you save a new address.
          </p>
        </fieldset>
        <fieldset>
          <legend className="mb-1 text-sm font-medium">Tell me about</legend>
          <div className="grid sm:grid-cols-2">
            {settings.event_choices.map((choice) => (
              <label key={choice.value} className="flex min-h-11 items-center gap-3 text-sm">
                <input
                  type="checkbox"
                  className="size-5 shrink-0 accent-accent"
                  checked={form.data.events.includes(choice.value)}
                  onChange={(e) => toggle(choice.value, e.target.checked)}
                />
                {choice.label}
              </label>
            ))}
          </div>
          <FieldError message={errors.events} />
        </fieldset>
        <FieldError message={errors.notifications} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="secondary" pending={form.processing}>
            <BellRing className="size-4" aria-hidden /> Save
          </Button>
          <Button
            type="button"
            variant="secondary"
            pending={testing}
            disabled={!anyChannel}
            onClick={() =>
              router.post(
                "/settings/notifications/test",
                {},
                {
                  preserveScroll: true,
                  onStart: () => setTesting(true),
                  onFinish: () => setTesting(false),
                  // The worker sends it in a moment: show its line in the log then.
                  onSuccess: () =>
                    window.setTimeout(
                      () => router.reload({ only: ["notifications"] }),
                      TEST_RELOAD_MS,
                    ),
                },
              )
            }
          >
            <Send className="size-4" aria-hidden /> Send test
          </Button>
        </div>
        {!anyChannel && (
          <p className="text-xs text-muted" data-testid="send-test-hint">
            Save a Telegram chat or a webhook first: a test goes to them.
          </p>
        )}
        {anyChannel && (
          <div className="flex flex-wrap gap-2 border-t border-border pt-3">
            {settings.webhook.configured && (
              <ConfirmDialog
                title="Make a new webhook secret?"
                description="The current secret stops signing at once: your receiver needs the new one, shown once."
                confirmLabel="New secret"
                onConfirm={(done) =>
                  router.post(
                    "/settings/notifications/webhook-secret",
                    {},
                    { preserveScroll: true, onFinish: done },
                  )
                }
                trigger={
                  <Button type="button" variant="ghost" size="sm">
                    New webhook secret
                  </Button>
                }
              />
            )}
            {settings.telegram.configured && (
              <ConfirmDialog
                title="Remove Telegram?"
                description="Egis forgets the bot token and stops sending to this chat."
                confirmLabel="Remove Telegram"
                destructive
                onConfirm={(done) => remove({ telegram_chat_id: "" }, done)}
                trigger={
                  <Button type="button" variant="danger-outline" size="sm">
                    Remove Telegram
                  </Button>
                }
              />
            )}
            {settings.webhook.configured && (
              <ConfirmDialog
                title="Remove the webhook?"
                description="Egis forgets the URL and its secret and stops posting to it."
                confirmLabel="Remove webhook"
                destructive
                onConfirm={(done) => remove({ webhook_url: "" }, done)}
                trigger={
                  <Button type="button" variant="danger-outline" size="sm">
                    Remove webhook
                  </Button>
                }
              />
            )}
          </div>
        )}
      </form>
      <div className="mt-4 border-t border-border pt-3">
        <p className="mb-1 text-sm font-medium">Delivery log</p>
        <DeliveryLog log={settings.log} />
      </div>
    </Card>
  );
}
