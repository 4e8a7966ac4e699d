import { Link } from "@inertiajs/react";
import { OctagonAlert, RadioTower, TriangleAlert } from "lucide-react";
import type * as React from "react";

import { BudgetBar } from "@/components/budget-bar";
import { Money } from "@/components/money";
import { FeedProvider, LiveFigure, PriceLine, useFeedState } from "@/components/price-feed";
import { Badge } from "@/components/ui/badge";
import { useShared } from "@/hooks/use-shared";
import { formatDateTime } from "@/lib/utils";
import type { BotSummary } from "@/types";
import type { PriceFeed } from "@/types/live";

export function VenueBadge({ venue, label }: { venue: string; label: string }) {
  return <Badge tone={venue === "paper" ? "neutral" : "accent"}>{label}</Badge>;
}

export function BotAlerts({
  bot,
}: {
  bot: Pick<
    BotSummary,
    "halted_reason" | "halted_words" | "open_incidents" | "is_active" | "risk_halt"
  >;
}) {
  const isAdmin = useShared().auth.user?.is_admin ?? false;
  return (
    <>
      {bot.risk_halt && (
        <div
          role="alert"
          data-testid="risk-halt"
          className="flex items-start gap-2 rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg"
        >
          <OctagonAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            <strong className="font-semibold">Halted for today</strong>: {bot.risk_halt} Closes
            still work.
          </span>
        </div>
      )}
      {bot.halted_reason && (
        <div
          role="alert"
          className="flex items-start gap-2 rounded-lg border border-danger-border bg-danger-surface p-3 text-sm text-danger-fg"
        >
          <OctagonAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            <strong className="font-semibold">Halted</strong>: new opens are refused, closes still
            work. {bot.halted_words || bot.halted_reason}
          </span>
        </div>
      )}
      {bot.open_incidents > 0 && (
        <div
          role="alert"
          className="flex items-start gap-2 rounded-lg border border-warn-border bg-warn-surface p-3 text-sm text-warn-fg"
        >
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            <strong className="font-semibold">Open incident</strong>: {bot.open_incidents} open
            incident{bot.open_incidents === 1 ? "" : "s"}.
            {!isAdmin &&
              ` An admin must resolve ${bot.open_incidents === 1 ? "it" : "them"}; closes still work.`}
          </span>
        </div>
      )}
    </>
  );
}

export function BotCard({
  bot,
  feed,
  tick = null,
  children,
  footer,
}: {
  bot: BotSummary;
  feed?: PriceFeed;
  tick?: string | null; // the symbol's price tick, for the price line

  // Cockpit additions (egis.portfolio): inside the card's link (read-only lines), and a footer
  // outside it (its buttons: a button inside a link is not allowed).
  children?: React.ReactNode;
  footer?: React.ReactNode;
}) {
  const state = useFeedState(feed);
  return (
    <div
      className="min-w-0 rounded-xl border border-border bg-surface transition-colors hover:border-border-hover"
      data-testid={`bot-card-${bot.id}`}
    >
      <Link href={`/bots/${bot.id}`} className="block min-w-0 rounded-xl p-4">
        {/* The figures built on the price (unrealized PnL, the open lines) read its state. */}
        <FeedProvider state={feed ? state : { age: null, stale: false }}>
          <div className="mb-3 flex items-start justify-between gap-3">
            <div className="min-w-0">
              <div className="truncate text-base font-semibold" title={bot.name}>
                {bot.name}
              </div>
              <div className="mt-1 flex flex-wrap items-center gap-1.5 text-sm text-muted">
                <VenueBadge venue={bot.venue} label={bot.venue_label} />
                <span className="num">{bot.symbol}</span>
                {bot.owner && <span>· {bot.owner}</span>}
                {!bot.is_active && <Badge>Inactive</Badge>}
              </div>
            </div>
            <div className="text-right text-sm">
              <div className="text-xs text-muted">Open</div>
              <div className="num font-semibold">{bot.open_positions}</div>
            </div>
          </div>
          {/* The bot page's price line: the symbol's price and its age, amber when stale. */}
          {feed && (
            <div className="mb-3">
              <PriceLine feed={feed} state={state} tick={tick} />
            </div>
          )}
          <div className="space-y-2">
            <BotAlerts bot={bot} />
          </div>
          <div className="mt-3">
            <BudgetBar budget={bot.budget} />
          </div>
          <dl className="mt-3 grid grid-cols-2 gap-2 border-t border-border pt-3 text-sm">
            <div>
              {/* The card is a link: no button inside it, so the definition is its title here and an
              (i) hint on the bot page. */}
              <dt className="text-xs text-muted" title={bot.realized_pnl_hint}>
                Realized PnL, closed, net of fees
              </dt>
              <dd>
                <Money value={bot.realized_pnl_usd} pnl className="font-medium" />
              </dd>
            </div>
            <div className="text-right">
              <dt className="text-xs text-muted">Unrealized PnL</dt>
              <dd>
                {bot.unrealized_pnl_usd === null ? (
                  <span className="text-muted">no price</span>
                ) : bot.open_positions > 0 ? (
                  // Built on the price: "Stale" instead of a confident figure when the feed is.
                  <LiveFigure>
                    <Money value={bot.unrealized_pnl_usd} pnl className="font-medium" />
                  </LiveFigure>
                ) : (
                  <Money value={bot.unrealized_pnl_usd} pnl className="font-medium" />
                )}
              </dd>
            </div>
          </dl>
          {bot.last_signal_at && (
            <p
              className="mt-2 flex items-center gap-1.5 text-xs text-muted"
              data-testid="last-signal"
            >
              <RadioTower className="size-3.5" aria-hidden /> Last acted on a signal{" "}
              {formatDateTime(bot.last_signal_at)}
            </p>
          )}
          {children}
        </FeedProvider>
      </Link>
      {footer}
    </div>
  );
}
