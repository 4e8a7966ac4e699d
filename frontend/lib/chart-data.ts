// The server's chart figures as lightweight-charts data. Numbers only for plotting: every label
// the trader reads is formatted from the server's exact strings.
import type { SeriesMarker, Time, UTCTimestamp } from "lightweight-charts";

import type { ChartMarker } from "@/types/live";
import type { PnlPoint } from "@/types";

export interface MarkerColors {
  long: string;
  short: string;
  exit: string;
}

export function toPriceData(
  times: number[],
  prices: string[],
): { time: UTCTimestamp; value: number }[] {
  return times.map((t, i) => ({ time: t as UTCTimestamp, value: Number(prices[i]) }));
}

/** Entries as arrows at their fill price (up for a long, down for a short), exits as circles. */
export function toMarkers(markers: ChartMarker[], colors: MarkerColors): SeriesMarker<Time>[] {
  return markers.map((m) => {
    const side = m.side === "long" ? "Long" : "Short";
    if (m.kind === "entry") {
      return {
        time: m.t as UTCTimestamp,
        position: m.side === "long" ? "atPriceBottom" : "atPriceTop",
        price: Number(m.price),
        shape: m.side === "long" ? "arrowUp" : "arrowDown",
        color: m.side === "long" ? colors.long : colors.short,
        text: `${side} #${m.position_id}`,
        id: `entry-${m.position_id}`,
      };
    }
    return {
      time: m.t as UTCTimestamp,
      position: "atPriceMiddle",
      price: Number(m.price),
      shape: "circle",
      color: colors.exit,
      text: `Exit #${m.position_id}`,
      id: `exit-${m.position_id}`,
    };
  });
}

/** The realized-PnL line on a horizontal axis of close numbers: close #n sits at "time" n. */
export function toPnlData(points: PnlPoint[]): { time: UTCTimestamp; value: number }[] {
  return points.map((p) => ({ time: p.n as UTCTimestamp, value: Number(p.cumulative_usd) }));
}

/** The price axis at the symbol's tick: "0.01" gives 2 decimals and a 0.01 step. */
export function priceFormatOf(tick: string | null | undefined): {
  precision: number;
  minMove: number;
} {
  const places = tick && /^\d+(\.\d+)?$/.test(tick) ? (tick.split(".")[1] ?? "").length : 2;
  const minMove = tick ? Number(tick) : 0.01;
  return { precision: places, minMove: minMove > 0 ? minMove : 0.01 };
}

/** A price range widened to take in `levels` (the chart's take-profit and stop-loss lines). */
export function withLevels<T extends { priceRange: { minValue: number; maxValue: number } | null }>(
  info: T | null,
  levels: number[],
): T | null {
  if (!info || !info.priceRange || levels.length === 0) return info;
  const { minValue, maxValue } = info.priceRange;
  return {
    ...info,
    priceRange: {
      minValue: Math.min(minValue, ...levels),
      maxValue: Math.max(maxValue, ...levels),
    },
  };
}

/** Marker words only where they fit: walking from the newest trade back, a marker keeps its
 * text when it sits at least `gap` px left of the last labelled one; the others keep their arrow
 * or circle without words. So a phone shows a few labels that can be read instead of a pile.
 * `x` is the marker's position on the chart (null: off the visible axis). */
export function thinLabels<T extends { text?: string }>(
  markers: T[],
  x: (marker: T) => number | null,
  gap: number,
): T[] {
  const out = markers.slice();
  let lastX = Number.POSITIVE_INFINITY;
  for (let i = out.length - 1; i >= 0; i--) {
    const at = x(out[i]);
    if (at !== null && lastX - at >= gap) {
      lastX = at;
    } else {
      out[i] = { ...out[i], text: "" };
    }
  }
  return out;
}
