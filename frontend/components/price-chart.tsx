import {
  type AutoscaleInfo,
  createSeriesMarkers,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  type SeriesMarker,
  LineStyle,
  type Time,
} from "lightweight-charts";
import * as React from "react";

import { ChartCredit } from "@/components/chart-credit";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import {
  axisPrice,
  labelWidth,
  levelsOffChart,
  priceFormatOf,
  TAG_CLEAR_PX,
  thinLabels,
  tickLabels,
  toMarkers,
  toPriceData,
  withLevels,
} from "@/lib/chart-data";
import { clearOfTags, labelBox, tagBox } from "@/lib/chart-tags";
import { cardChart, themeColor, timeAxis } from "@/lib/lw-chart";
import { formatPrice } from "@/lib/money";
import type { ChartLine, PriceChartData } from "@/types/live";

interface Handles {
  chart: IChartApi;
  series: ISeriesApi<"Line">;
  markers: ISeriesMarkersPluginApi<Time>;
  lines: IPriceLine[];
  tags: { price: number; title: string }[]; // the lines' titles, drawn at the pane's right edge
  all: SeriesMarker<Time>[]; // every marker with its words, before thinning
}

// A marker's words ("Long #14", "Exit #8") take about this many px at the chart's 11 px font.
const LABEL_GAP_PX = 64;

/** Draw the markers, words only on those with room and clear of the TP/SL tags (redone when
 * the chart's width or range changes). */
function placeMarkers(h: Handles, box: HTMLElement | null): void {
  const scale = h.chart.timeScale();
  const width = scale.width();
  const x = (m: SeriesMarker<Time>) => {
    // Words centred closer to an edge than half their width would be cut by it.
    const edge = labelWidth(m.text, LABEL_GAP_PX) / 2;
    const at = scale.timeToCoordinate(m.time);
    return at !== null && at >= edge && at <= width - edge ? at : null;
  };
  // The shape's height as the library sizes it from the bar spacing (12 to 30 px).
  const shape = Math.ceil(Math.min(Math.max(scale.options().barSpacing, 12), 30));
  const tags = h.tags.flatMap(({ price, title }) => {
    const y = h.series.priceToCoordinate(price);
    return y === null ? [] : [tagBox(title, y, width)];
  });
  const clear = clearOfTags(
    h.all,
    (m) => {
      const at = scale.timeToCoordinate(m.time);
      const y = m.price === undefined ? null : h.series.priceToCoordinate(m.price);
      return at === null || y === null ? null : labelBox(m, at, y, shape, LABEL_GAP_PX);
    },
    tags,
  );
  const shown = thinLabels(clear, x, LABEL_GAP_PX);
  h.markers.setMarkers(shown);
  const words = shown.flatMap((m) => (m.text ? [m.text] : []));
  box?.setAttribute("data-labelled", String(words.length));
  box?.setAttribute("data-labels", JSON.stringify(words));
}

/**
 * The symbol's recent stored prices with the bot's fills on them (entry arrows, exit circles),
 * and `lines` drawn across it: resting take-profit and stop-loss levels.
 */
export function PriceChart({
  chart,
  tick,
  lines = chart.lines,
}: {
  chart: PriceChartData;
  tick: string | null;
  lines?: ChartLine[];
}) {
  const box = React.useRef<HTMLDivElement>(null);
  const handles = React.useRef<Handles | null>(null);
  const enough = chart.times.length >= 2;

  React.useEffect(() => {
    if (!enough || !box.current) return;
    const made = cardChart(box.current);
    const series = made.addSeries(LineSeries, {
      color: themeColor("accent-hover"),
      lineWidth: 2,
      priceLineVisible: false,
    });
    const h: Handles = {
      chart: made,
      series,
      markers: createSeriesMarkers(series, []),
      lines: [],
      tags: [],
      all: [],
    };
    handles.current = h;
    const container = box.current;
    const relabel = () => placeMarkers(h, container);
    // Where the markers sit changes with the width and with the range shown (fitContent).
    made.timeScale().subscribeSizeChange(relabel);
    made.timeScale().subscribeVisibleLogicalRangeChange(relabel);
    return () => {
      made.timeScale().unsubscribeSizeChange(relabel);
      made.timeScale().unsubscribeVisibleLogicalRangeChange(relabel);
      handles.current = null;
      made.remove();
    };
  }, [enough]);

  React.useEffect(() => {
    const h = handles.current;
    if (!h) return;
    // The price axis also spans the resting levels near the recent prices, so a take-profit or
    // stop-loss is on the chart, not off its edge; a far one (see `levelBand`) is said in words
    // under the chart instead of squashing the price into a flat line.
    const levels = lines.map((line) => Number(line.price)).filter(Number.isFinite);
    const format = priceFormatOf(tick);
    const price = (value: number) => axisPrice(value, format.precision);
    h.series.applyOptions({
      priceFormat: { type: "price", ...format },
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) =>
        withLevels(original(), levels),
    });
    const last = chart.prices.length ? Number(chart.prices[chart.prices.length - 1]) : null;
    const tags = last === null ? levels : [last, ...levels];
    const span = chart.times.length ? chart.times[chart.times.length - 1] - chart.times[0] : 0;
    h.chart.applyOptions({
      // Prices grouped by thousands like the rest of the page ("125,000.00"); the tags' own
      // labels (current price, TP, SL) take that format too (`localization.priceFormatter`).
      localization: {
        priceFormatter: price,
        tickmarksPriceFormatter: (ticks: number[]) =>
          tickLabels(ticks, tags, (p) => h.series.priceToCoordinate(p), TAG_CLEAR_PX, price),
      },
      timeScale: { tickMarkFormatter: timeAxis(span) },
    });
    h.series.setData(toPriceData(chart.times, chart.prices));
    h.all = toMarkers(chart.markers, {
      long: themeColor("gain"),
      short: themeColor("loss"),
      exit: themeColor("fg"),
    });
    h.lines.forEach((line) => h.series.removePriceLine(line));
    h.tags = lines.map((line) => ({
      price: Number(line.price),
      title: line.label ?? (line.kind === "tp" ? "TP" : "SL"),
    }));
    h.lines = lines.map((line) =>
      h.series.createPriceLine({
        price: Number(line.price),
        color: themeColor(line.kind === "tp" ? "gain" : "loss"),
        lineWidth: 1,
        lineStyle: LineStyle.Dashed,
        axisLabelVisible: true,
        title: line.label ?? (line.kind === "tp" ? "TP" : "SL"),
      }),
    );
    h.chart.timeScale().fitContent();
    placeMarkers(h, box.current);
  }, [chart, lines, tick, enough]);

  const last = chart.prices.length ? chart.prices[chart.prices.length - 1] : null;
  const off = enough ? levelsOffChart(chart.prices, lines) : [];
  return (
    <Card data-testid="price-chart-card">
      <CardHeader className="flex-wrap">
        <CardTitle>{chart.symbol} price</CardTitle>
        <span className="flex items-center gap-3 text-xs text-muted" aria-hidden>
          <span>
            <span className="text-gain">▲</span>/<span className="text-loss">▼</span> entry
          </span>
          <span>● exit</span>
          <span>UTC</span>
        </span>
      </CardHeader>
      {enough ? (
        <>
          <div
            ref={box}
            className="h-52 lg:h-64"
            role="img"
            aria-label={`${chart.symbol} price, last ${formatPrice(last, tick)}; ${chart.markers.length} fills of this bot marked`}
            data-testid="price-chart"
            data-points={chart.times.length}
            data-markers={chart.markers.length}
            data-lines={lines.length}
          />
          {off.length > 0 && (
            <p className="num mt-2 text-xs text-muted" data-testid="price-chart-off">
              Off the chart:{" "}
              {off.map((line, i) => (
                <span key={`${line.kind}-${line.price}-${i}`} className="whitespace-nowrap">
                  {i > 0 && " · "}
                  {line.label ?? (line.kind === "tp" ? "TP" : "SL")} $
                  {formatPrice(line.price, tick)}{" "}
                  {Number(line.price) > Number(last) ? "above" : "below"}
                </span>
              ))}
            </p>
          )}
          <ChartCredit />
        </>
      ) : (
        <p className="flex h-32 items-center justify-center rounded-lg border border-dashed border-border text-center text-sm text-muted">
          The chart starts once the worker has stored two prices.
        </p>
      )}
    </Card>
  );
}
