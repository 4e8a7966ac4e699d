import { ChevronRight } from "lucide-react";

import { IdText } from "@/components/id-text";
import { Badge } from "@/components/ui/badge";
import { cn, formatRecentTime } from "@/lib/utils";
import type { SignalRow } from "@/types";

const STATUS_TONE: Record<SignalRow["status"], "neutral" | "accent" | "warn" | "danger" | "gain"> =
  {
    queued: "neutral",
    executing: "accent",
    executed: "gain",
    rejected: "warn",
    failed: "danger",
    duplicate: "neutral",
  };

/** A signal's status as a badge: refused in amber, failed in red, executed in green; the word
 * is always there, so the colour never carries the meaning alone. */
export function SignalStatusBadge({ status }: { status: SignalRow["status"] }) {
  return (
    <Badge tone={STATUS_TONE[status]} data-testid="signal-status">
      {status}
    </Badge>
  );
}

/** What the signal asked ("open long $25.00"), or "Not understood" when its body could not be
 * read (the reason, shown under the title, says why). */
export function signalTitle(signal: Pick<SignalRow, "action">): string {
  return signal.action || "Not understood";
}

/** Why, under the title: the server's words without the title repeated ("Not understood:
 * unknown field ..." under "Not understood" reads "Unknown field ..."). */
export function signalReason(signal: Pick<SignalRow, "action" | "reason">): string {
  const prefix = `${signalTitle(signal)}: `;
  if (signal.action || !signal.reason.startsWith(prefix)) return signal.reason;
  const rest = signal.reason.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** One signal: what it asked, its status, when, who sent it, why, and the positions its orders
 * touched. The Signals card and the Activity tab show the same row. */
export function SignalItem({
  signal,
  positionHref,
  className,
  testId,
}: {
  signal: SignalRow;
  /** Where a position's link goes: "#position-7" on the bot page, the bot page elsewhere. */
  positionHref: (positionId: number) => string;
  className?: string;
  testId?: string;
}) {
  return (
    <li className={cn("text-sm", className)} data-testid={testId ?? `signal-${signal.id}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium" data-testid="signal-title">
          {signalTitle(signal)}
        </span>
        <SignalStatusBadge status={signal.status} />
      </div>
      <div className="num mt-1 text-xs text-muted">
        #{signal.id} · <span data-testid="signal-time">{formatRecentTime(signal.received_at)}</span>
        {signal.sender_id && (
          <>
            {" · id\u00a0"}
            <IdText id={signal.sender_id} data-testid="signal-sender-id" />
          </>
        )}
      </div>
      {signal.reason && (
        <p className="mt-1.5 break-words text-muted" data-testid="signal-reason">
          {signalReason(signal)}
        </p>
      )}
      {signal.orders.length > 0 && (
        <ul className="mt-1 -mb-2 text-xs text-muted">
          {signal.orders.map((o) => (
            <li key={o.client_order_id}>
              {/* The whole line is the link: a thumb's 44 px target, not a 14 px "#7". */}
              <a
                href={positionHref(o.position_id)}
                className="-mx-2 flex min-h-11 items-center gap-2 rounded-md px-2 hover:bg-surface-2 hover:text-fg focus-visible:outline-2 focus-visible:outline-focus"
                data-testid="signal-position-link"
              >
                <span className="min-w-0 flex-1">
                  {o.intent}{" "}
                  <span className="whitespace-nowrap text-fg underline underline-offset-2">
                    position #{o.position_id}
                  </span>
                  {" · "}
                  <IdText id={o.client_order_id} data-testid="signal-order-id" /> · {o.status}
                </span>
                <ChevronRight className="size-4 shrink-0" aria-hidden />
              </a>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
