// Marker words that a TP/SL tag would cover. lightweight-charts draws a price line's title
// ("SL #10") in the pane at its right edge, over whatever marker text is there: the newest
// entry's "Long #10" sat under its own stop-loss's tag. Such words are left out (the arrow
// stays, and the tag names the position); the library offers no offset for a marker's text.
import type { SeriesMarker, Time } from "lightweight-charts";

import { labelWidth } from "@/lib/chart-data";

export interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const TEXT_PX = 13; // the markers' 11 px words with their margin
const SHAPE_MARGIN_PX = 3; // the library's least gap between a marker's shape and its text

/** Where a marker's words are drawn, as the library places them (series-markers plugin,
 * `fillSizeAndY`): below the shape for atPriceBottom and atPriceMiddle, above for atPriceTop.
 * `x`, `y`: the marker's place; `shape`: its shape's height in px. */
export function labelBox(
  marker: Pick<SeriesMarker<Time>, "position" | "text">,
  x: number,
  y: number,
  shape: number,
  least: number,
): Box {
  const half = labelWidth(marker.text, least) / 2;
  const gap = SHAPE_MARGIN_PX;
  let top: number;
  if (marker.position === "atPriceTop") top = y - shape - gap - TEXT_PX;
  else if (marker.position === "atPriceBottom") top = y + shape + gap;
  else top = y + shape / 2 + gap;
  return { left: x - half, right: x + half, top, bottom: top + TEXT_PX };
}

/** A price line's title box at the pane's right edge (`paneWidth`), centred on its price's
 * height `y`: about as wide as its words, as tall as the axis's labels. */
export function tagBox(title: string, y: number, paneWidth: number): Box {
  const width = title.length * 6.5 + 14;
  return { left: paneWidth - width, right: paneWidth, top: y - 10, bottom: y + 10 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** The markers with no words where a tag would cover them; `box` gives a marker's label box
 * (null: not on the chart, left as it is). */
export function clearOfTags<T extends { text?: string }>(
  markers: T[],
  box: (marker: T) => Box | null,
  tags: Box[],
): T[] {
  return markers.map((m) => {
    if (!m.text) return m;
    const at = box(m);
    return at && tags.some((tag) => overlaps(at, tag)) ? { ...m, text: "" } : m;
  });
}
