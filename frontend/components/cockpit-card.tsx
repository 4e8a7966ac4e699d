import { Link } from "@inertiajs/react";
import { TriangleAlert } from "lucide-react";

import { Money } from "@/components/money";
import { SideBadge } from "@/components/positions";
import { LiveFigure } from "@/components/price-feed";
import { PauseToggle } from "@/components/bot-stop";
import { formatUsd } from "@/lib/money";
import { formatDateTime } from "@/lib/utils";
import type { OpenLine, PauseProps } from "@/types";

/** One line per open position: side, size, unrealized PnL (the server's shown figures). */
export function OpenLines({ lines }: { lines: OpenLine[] }) {
  if (lines.length === 0) return null;
  return (
    <ul className="mt-3 space-y-1 border-t border-border pt-3 text-sm" data-testid="open-lines">
      {lines.map((line) => (
        <li key={line.id} className="flex items-center justify-between gap-2">
          <span className="flex min-w-0 items-center gap-2">
            <SideBadge side={line.side} />
            <span className="num truncate">{formatUsd(line.size_usd)}</span>
          </span>
          <span className="num text-right">
            {line.opening ? (
              <span className="text-muted">opening…</span>
            ) : line.unrealized_shown_usd === null ? (
              <span className="text-muted">no price</span>
            ) : (
              <LiveFigure>
                <Money value={line.unrealized_shown_usd} pnl />
              </LiveFigure>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** "Paused by bob at 26 Nov, 10:30 UTC": who and when, in words. */
export function PausedNote({ pause }: { pause: PauseProps }) {
  if (!pause.paused) return null;
  return (
    <div
      role="status"
      data-testid="paused-note"
      className="flex items-start gap-2 rounded-lg border border-warn-border bg-warn-surface p-3 text-sm text-warn-fg"
    >
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>
        <strong className="font-semibold">
          Paused by {pause.paused_by || "someone"} at {formatDateTime(pause.paused_at)}
        </strong>
        : new opens are refused (manual, API and signals); closes and exits still work.
      </span>
    </div>
  );
}

/** The footer of a bot card on the list (outside the card's link: a button in a link is not
 * allowed): pause/resume, and the way to the Activity tab. */
export function CardFooter({ botId, paused }: { botId: number; paused: boolean }) {
  return (
    <div className="flex items-center justify-between gap-2 border-t border-border px-4 py-2">
      <Link
        href={`/bots/${botId}/activity`}
        className="inline-flex min-h-11 items-center rounded-lg px-2 text-sm text-muted hover:bg-surface-2 hover:text-fg"
      >
        Activity
      </Link>
      <PauseToggle botId={botId} paused={paused} back="list" />
    </div>
  );
}
