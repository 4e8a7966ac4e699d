// Live screens (issue 13): the price feed and the price chart the server sends. Prices are exact
// decimal strings; times are the server's (ISO, or unix seconds on the chart's axis).

/** A symbol's stored price with its own timestamp; age and staleness computed by the server. */
export interface PriceFeed {
  symbol: string;
  price: string | null; // null: no price is known
  as_of: string | null; // when the worker stored it
  age_s: number | null; // its age when the server answered
  stale: boolean; // older than stale_after_s (or unknown)
  stale_after_s: number;
  source: string;
}

/** How often the page asks for fresh figures, and when a price counts as stale. */
export interface LiveSettings {
  refresh_s: number;
  stale_after_s: number;
}

/** A fill of the bot on the chart: a position's entry or exit, at its price. */
export interface ChartMarker {
  t: number; // a time of the chart's points (the tick at or after the fill)
  kind: "entry" | "exit";
  side: "long" | "short";
  position_id: number;
  price: string;
}

/** A resting level drawn across the chart (a take-profit or stop-loss). */
export interface ChartLine {
  kind: "tp" | "sl";
  price: string;
  label?: string;
}

export interface PriceChartData {
  symbol: string;
  times: number[]; // unix seconds, strictly rising
  prices: string[]; // the price at each of those times
  markers: ChartMarker[];
  lines: ChartLine[];
}
