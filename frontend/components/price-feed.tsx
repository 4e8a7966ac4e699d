import { TriangleAlert } from "lucide-react";
import * as React from "react";

import { useSecondsSince } from "@/hooks/use-live-reload";
import { formatAge } from "@/lib/age";
import { formatPrice } from "@/lib/money";
import { cn } from "@/lib/utils";
import type { PriceFeed } from "@/types/live";

export interface FeedState {
  age: number | null; // seconds, counted on from the server's figure between refreshes
  stale: boolean;
}

/** The feed's age now: the server's age plus the seconds since its answer arrived. A page
 * whose refreshes stopped arriving goes stale by itself. */
export function useFeedState(feed: PriceFeed | null | undefined): FeedState {
  const since = useSecondsSince(feed);
  if (!feed || feed.age_s == null || feed.price == null) return { age: null, stale: true };
  const age = feed.age_s + since;
  return { age, stale: feed.stale || age > feed.stale_after_s };
}

// The open positions read the page's feed state: their mark and unrealized PnL depend on it.
const FeedContext = React.createContext<FeedState>({ age: null, stale: false });

export function FeedProvider({ state, children }: { state: FeedState; children: React.ReactNode }) {
  return <FeedContext.Provider value={state}>{children}</FeedContext.Provider>;
}

/** A figure that depends on the current price: when the feed is stale, a loud "Stale" instead of
 * a confident number (the last value stays, muted, for reference). */
export function LiveFigure({ children, last }: { children: React.ReactNode; last?: string }) {
  const { stale } = React.useContext(FeedContext);
  if (!stale) return <>{children}</>;
  return (
    <span className="inline-flex flex-col items-end" data-testid="stale-figure">
      <span className="rounded bg-warn-surface px-1.5 text-xs font-semibold text-warn-fg">
        Stale
      </span>
      {last && <span className="text-xs text-muted line-through">{last}</span>}
    </span>
  );
}

/** "ETHUSDT 2934.56 · 4 s ago" under the bot's title; amber and worded when stale. */
export function PriceLine({
  feed,
  state,
  tick,
}: {
  feed: PriceFeed;
  state: FeedState;
  tick: string | null;
}) {
  return (
    <div className="flex flex-wrap items-baseline gap-x-2 text-sm" data-testid="price-feed">
      <span className="text-muted">Price</span>
      <span
        className={cn("num font-medium", state.stale && "text-warn-fg")}
        data-testid="feed-price"
      >
        {formatPrice(feed.price, tick)}
      </span>
      <span
        className={cn("num text-xs", state.stale ? "font-semibold text-warn-fg" : "text-muted")}
        data-testid="price-age"
        title={feed.as_of ?? undefined}
      >
        {state.stale && feed.price != null ? "stale · " : ""}
        {formatAge(state.age)}
      </span>
    </div>
  );
}

/** The loud warning: the price is older than the threshold, so every figure built on it is
 * not current. */
export function StaleFeedBanner({
  feed,
  state,
  tick,
}: {
  feed: PriceFeed;
  state: FeedState;
  tick: string | null;
}) {
  if (!state.stale) return null;
  const minutes = Math.round(feed.stale_after_s / 60);
  const threshold = feed.stale_after_s < 120 ? `${feed.stale_after_s} s` : `${minutes} min`;
  return (
    <div
      role="alert"
      data-testid="stale-feed"
      className="flex items-start gap-2 rounded-lg border border-warn-border bg-warn-surface p-3 text-sm text-warn-fg"
    >
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>
        <strong className="font-semibold">Price feed stale</strong>:{" "}
        {feed.price == null
          ? `no ${feed.symbol} price has been stored yet.`
          : `the last ${feed.symbol} price (${formatPrice(feed.price, tick)}) is from ${formatAge(state.age)}, older than ${threshold}.`}{" "}
        Mark prices and unrealized PnL are not current; check the price worker.
      </span>
    </div>
  );
}
