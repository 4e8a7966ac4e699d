import { Link, router } from "@inertiajs/react";
// Icons already on the bot page (BotAlerts): the page stays inside its JavaScript budget.
import { OctagonAlert } from "lucide-react";
import * as React from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { SideBadge } from "@/components/positions";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { cn } from "@/lib/utils";
import type { PlannedClose } from "@/types";

// The bot page's cockpit controls in one module (one chunk): its tabs, Pause/Resume, and an
// admin's Close all sheet. Why Open is refused while paused is said next to the Open button.

/** The bot page's tabs: its overview and its Activity (orders, audit trail, signals). */
export function BotTabs({ botId, current }: { botId: number; current: "overview" | "activity" }) {
  const tab = (key: "overview" | "activity", href: string, label: string) => (
    <Link
      href={href}
      aria-current={current === key ? "page" : undefined}
      className={cn(
        "inline-flex min-h-11 flex-1 items-center justify-center rounded-md px-3 text-sm font-medium",
        current === key ? "bg-surface-2 text-fg" : "text-muted hover:text-fg",
      )}
    >
      {label}
    </Link>
  );
  return (
    <nav
      aria-label="Bot sections"
      className="flex gap-1 rounded-lg border border-border bg-surface p-1"
      data-testid="bot-tabs"
    >
      {tab("overview", `/bots/${botId}`, "Overview")}
      {tab("activity", `/bots/${botId}/activity`, "Activity")}
    </nav>
  );
}

/** Pause / Resume one bot. `back`: where the server sends the page afterwards. */
export function PauseToggle({
  botId,
  paused,
  back,
  className,
}: {
  botId: number;
  paused: boolean;
  back: "list" | "bot";
  className?: string;
}) {
  const [pending, setPending] = React.useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      className={className}
      pending={pending}
      data-testid={`pause-toggle-${botId}`}
      onClick={() => {
        setPending(true);
        router.post(
          `/bots/${botId}/pause`,
          { paused: !paused, back },
          { preserveScroll: true, onFinish: () => setPending(false) },
        );
      }}
    >
      {paused ? "Resume" : "Pause"}
    </Button>
  );
}

/** Admins: close every open position of the bot, one close order each. The sheet lists exactly
 * what will be sent (the server refuses if that changed meanwhile). */
export function CloseAllSheet({
  botId,
  plan,
  text,
}: {
  botId: number;
  plan: PlannedClose[];
  text: string;
}) {
  const { errors } = useShared();
  const sendable = plan.filter((p) => p.sendable);
  const skipped = plan.filter((p) => !p.sendable);
  return (
    <div>
      <ConfirmDialog
        trigger={
          <Button variant="danger-outline" size="sm" data-testid="close-all">
            <OctagonAlert className="size-4" aria-hidden /> Close all
          </Button>
        }
        title={`Close all ${sendable.length} open position${sendable.length === 1 ? "" : "s"}?`}
        description={text}
        confirmLabel={`Send ${sendable.length} close${sendable.length === 1 ? "" : "s"}`}
        destructive
        onConfirm={(done) =>
          router.post(
            `/bots/${botId}/close-all`,
            { confirm: true, expected: sendable.length },
            { preserveScroll: true, onFinish: done },
          )
        }
      >
        <ul className="mb-3 divide-y divide-border text-sm" data-testid="close-all-plan">
          {sendable.map((p) => (
            <li key={p.position_id} className="flex items-center justify-between gap-2 py-2">
              <span className="flex items-center gap-2">
                <SideBadge side={p.side} />
                <span className="text-muted">#{p.position_id}</span>
              </span>
              <span className="num text-right">
                {p.qty_text}
                <span className="ml-2 text-muted">{p.size_text}</span>
              </span>
            </li>
          ))}
        </ul>
        {sendable.length === 0 && <p className="mb-3 text-sm text-muted">Nothing to send.</p>}
        {skipped.length > 0 && (
          <p className="mb-3 text-sm text-muted">
            Not sent now: {skipped.map((p) => `#${p.position_id} (${p.why_not})`).join(", ")}
          </p>
        )}
      </ConfirmDialog>
      <FieldError message={errors.close_all} />
    </div>
  );
}
