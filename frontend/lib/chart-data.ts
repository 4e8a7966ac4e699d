// The server's chart figures as lightweight-charts data. Numbers only for plotting: every label
// the trader reads is formatted from the server's exact strings.
import type { SeriesMarker, Time, UTCTimestamp } from "lightweight-charts";

import { groupDigits } from "@/lib/money";
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

/** Entries as arrows at their fill price (up for a long, down for a short), exits as circles.
 *
 * A flip (a close and the next open on the same bar, as a signal's target does) is one text on
 * the entry, "Exit #9 · Short #10", and the exit's circle moves to the other side of the price
 * from the entry's arrow (above a long's arrow, below a short's), so neither covers the other;
 * the circle keeps no words of its own. */
export function toMarkers(markers: ChartMarker[], colors: MarkerColors): SeriesMarker<Time>[] {
  const entryAt = new Map<number, ChartMarker>();
  const exitsAt = new Map<number, ChartMarker[]>();
  for (const m of markers) {
    if (m.kind === "entry") entryAt.set(m.t, entryAt.get(m.t) ?? m);
    else exitsAt.set(m.t, [...(exitsAt.get(m.t) ?? []), m]);
  }
  return markers.map((m) => {
    const side = m.side === "long" ? "Long" : "Short";
    if (m.kind === "entry") {
      const flipped = entryAt.get(m.t) === m ? (exitsAt.get(m.t) ?? []) : [];
      const before = flipped.filter((e) => e.position_id < m.position_id);
      const after = flipped.filter((e) => e.position_id >= m.position_id);
      const words = [
        ...before.map((e) => `Exit #${e.position_id}`),
        `${side} #${m.position_id}`,
        ...after.map((e) => `Exit #${e.position_id}`),
      ];
      return {
        time: m.t as UTCTimestamp,
        position: m.side === "long" ? "atPriceBottom" : "atPriceTop",
        price: Number(m.price),
        shape: m.side === "long" ? "arrowUp" : "arrowDown",
        color: m.side === "long" ? colors.long : colors.short,
        text: words.join(" · "),
        id: `entry-${m.position_id}`,
      };
    }
    const entry = entryAt.get(m.t);
    return {
      time: m.t as UTCTimestamp,
      // At a flip: on the side of the price the entry's arrow leaves free.
      position: entry ? (entry.side === "long" ? "atPriceTop" : "atPriceBottom") : "atPriceMiddle",
      price: Number(m.price),
      shape: "circle",
      color: colors.exit,
      text: entry ? "" : `Exit #${m.position_id}`,
      id: `exit-${m.position_id}`,
    };
  });
}

/**
 * The realized-PnL chart's horizontal axis: close number n is plotted at "time" n, and its
 * labels name the closed position by its number ("#7", "Position #7 closed"), the one the
 * position list, the price chart's markers and the exits show; the close count would be a
 * second number for the same trade. A time with no close gets no words.
 */
export function pnlAxis(points: PnlPoint[]): {
  tick: (t: Time) => string;
  crosshair: (t: Time) => string;
} {
  const positionAt = new Map(points.map((p) => [p.n, p.position_id]));
  return {
    tick: (t) => {
      const id = positionAt.get(Number(t));
      return id === undefined ? "" : `#${id}`;
    },
    crosshair: (t) => {
      const id = positionAt.get(Number(t));
      return id === undefined ? "" : `Position #${id} closed`;
    },
  };
}

/** The realized-PnL line on a horizontal axis of close numbers: close n sits at "time" n. */
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

// How far beyond the recent prices a take-profit or stop-loss may sit and still widen the
// price axis: one span of those prices, or 2% of the price when they barely moved. A level
// further away (a stop at $99,999 on a $600 coin) would squash the price into a flat line, so it
// stays off the visible range and the chart says so in words (`levelsOffChart`).
const LEVEL_REACH_PCT = 0.02;

/** The price range in which a level still widens the axis: the recent range, stretched by its
 * own span (at least 2% of the price) above and below. */
export function levelBand(range: { minValue: number; maxValue: number }): {
  low: number;
  high: number;
} {
  const { minValue, maxValue } = range;
  const mid = (minValue + maxValue) / 2;
  const reach = Math.max(maxValue - minValue, Math.abs(mid) * LEVEL_REACH_PCT);
  return { low: minValue - reach, high: maxValue + reach };
}

/** The recent price range widened to take in the `levels` (take-profit and stop-loss lines)
 * that lie within its `levelBand`; the others leave the range as it is. */
export function withLevels<T extends { priceRange: { minValue: number; maxValue: number } | null }>(
  info: T | null,
  levels: number[],
): T | null {
  if (!info || !info.priceRange) return info;
  const { low, high } = levelBand(info.priceRange);
  const near = levels.filter((level) => level >= low && level <= high);
  if (near.length === 0) return info;
  const { minValue, maxValue } = info.priceRange;
  return {
    ...info,
    priceRange: {
      minValue: Math.min(minValue, ...near),
      maxValue: Math.max(maxValue, ...near),
    },
  };
}

/** The levels `withLevels` leaves off the axis, for a line of words under the chart. */
export function levelsOffChart<L extends { price: string }>(prices: string[], lines: L[]): L[] {
  const values = prices.map(Number).filter(Number.isFinite);
  if (values.length === 0) return [];
  const { low, high } = levelBand({
    minValue: Math.min(...values),
    maxValue: Math.max(...values),
  });
  return lines.filter((line) => {
    const level = Number(line.price);
    return Number.isFinite(level) && (level < low || level > high);
  });
}

/** A price on the axis at the tick's decimals, grouped by thousands like every price on the
 * page: 125000 with 2 decimals reads "125,000.00". */
export function axisPrice(value: number, places: number): string {
  return groupDigits(value.toFixed(places));
}

// Half a tag's height (about 18 px at the charts' 11 px font) plus half a tick label's: a tick
// label nearer than this to a tag's middle would peek out from under it.
export const TAG_CLEAR_PX = 16;

/**
 * The price axis's tick labels, with no label under a tag: the current price and the TP/SL
 * lines print their own labels on the axis, drawn over the ticks', and a tick label a tag half
 * covers reads as a second number ("613.49" over "610.00"). A tick within `clear` px of a tag
 * keeps its grid line and loses its words. `y` is a price's height on the chart (null: off it).
 */
export function tickLabels(
  ticks: number[],
  tags: number[],
  y: (price: number) => number | null,
  clear: number,
  format: (price: number) => string,
): string[] {
  const tagYs = tags.map(y).filter((at): at is number => at !== null);
  return ticks.map((tick) => {
    const at = y(tick);
    const covered = at !== null && tagYs.some((tagY) => Math.abs(tagY - at) < clear);
    return covered ? "" : format(tick);
  });
}

/** About how wide a marker's words are at the chart's 11 px font (about 5 px a character, as
 * measured at 390 px), with room either side; never under `least`. */
export function labelWidth(text: string | undefined, least: number): number {
  return Math.max(least, text ? text.length * 5.5 + 10 : 0);
}

/** Marker words only where they fit: walking from the newest trade back, a marker keeps its
 * text when its words and the last labelled one's would not touch (each at least `gap` px wide,
 * wider for a longer text such as a flip's "Exit #9 · Short #10"); the others keep their arrow
 * or circle without words. So a phone shows a few labels that can be read instead of a pile.
 * `x` is the marker's position on the chart (null: off the visible axis). */
export function thinLabels<T extends { text?: string }>(
  markers: T[],
  x: (marker: T) => number | null,
  gap: number,
): T[] {
  const out = markers.slice();
  let lastX = Number.POSITIVE_INFINITY;
  let lastWidth = 0;
  for (let i = out.length - 1; i >= 0; i--) {
    if (!out[i].text) continue; // no words: nothing to make room for
    const at = x(out[i]);
    const width = labelWidth(out[i].text, gap);
    if (at !== null && lastX - at >= (width + lastWidth) / 2) {
      lastX = at;
      lastWidth = width;
    } else {
      out[i] = { ...out[i], text: "" };
    }
  }
  return out;
}
