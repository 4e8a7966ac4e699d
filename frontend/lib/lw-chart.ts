// One look for every chart: lightweight-charts on the app's dark theme tokens (read from the
// CSS variables of app.css, since a canvas cannot use var()).
import {
  ColorType,
  createChart,
  type IChartApi,
  type Time,
  TickMarkType,
} from "lightweight-charts";

export function themeColor(name: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(`--color-${name}`);
  return value.trim() || "gray";
}

// Egis shows times as 24-hour UTC everywhere: the chart's axis and crosshair too (never the
// browser's zone or its 12-hour clock, which also made labels too long for a phone's axis).
const utc = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hourCycle: "h23", ...options });
const clock = utc({ hour: "2-digit", minute: "2-digit" });
const clockSeconds = utc({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
const day = utc({ day: "numeric", month: "short" });
const dayAndClock = utc({
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function asDate(time: Time): Date {
  return new Date(Number(time) * 1000);
}

// Seconds on the axis only while the chart spans less than this: a longer history has ticks
// whole minutes apart.
const SECONDS_SPAN = 5 * 60;
const DAY = 24 * 60 * 60;

/**
 * The time axis's labels for a chart spanning `span` seconds, all in one format: "13:55:02"
 * under 5 minutes, "13:55" under 2 days, the day ("26 Nov") beyond. lightweight-charts types
 * each tick by its weight (the first point of a new minute is `Time`, others `TimeWithSeconds`,
 * of a new day `DayOfMonth`) and would print each its own way ("00:15:43 · 00:16"); here the
 * type only picks which ticks get words: a tick finer than the format (a point within a minute
 * when the axis reads minutes) gets none, so no two labels read the same.
 */
export function timeAxis(span: number): (time: Time, type: TickMarkType) => string {
  return (time, type) => {
    const date = asDate(time);
    if (span < SECONDS_SPAN) return clockSeconds.format(date);
    if (span < 2 * DAY) return type === TickMarkType.TimeWithSeconds ? "" : clock.format(date);
    const midnight = type !== TickMarkType.Time && type !== TickMarkType.TimeWithSeconds;
    return midnight ? day.format(date) : "";
  };
}

/** A time axis label by the tick's own type (kept for charts whose span is not known). */
export function axisTime(time: Time, type: TickMarkType): string {
  const date = asDate(time);
  if (type === TickMarkType.TimeWithSeconds) return clockSeconds.format(date);
  if (type === TickMarkType.Time) return clock.format(date);
  return day.format(date);
}

/** The crosshair's time: "26 Nov, 13:55:02 UTC". */
export function crosshairTime(time: Time): string {
  return `${dayAndClock.format(asDate(time))} UTC`;
}

/** A small chart for a card: no scrolling or zooming (a phone scrolls the page, not the chart). */
export function cardChart(
  container: HTMLElement,
  axis: { tick: (t: Time, type: TickMarkType) => string; crosshair: (t: Time) => string } = {
    tick: axisTime,
    crosshair: crosshairTime,
  },
): IChartApi {
  return createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "transparent" },
      textColor: themeColor("muted"),
      fontSize: 11,
      // No TradingView logo over the plot (it sat on the price line on a phone): every chart
      // shows <ChartCredit /> under it instead, the link the licence asks for
      // (frontend/components/chart-credit.tsx).
      attributionLogo: false,
    },
    grid: { vertLines: { visible: false }, horzLines: { color: themeColor("border") } },
    // No price label half cut at the top or bottom edge (entireTextOnly), and room above and
    // below the line for the trade markers and their words.
    rightPriceScale: {
      borderVisible: false,
      entireTextOnly: true,
      scaleMargins: { top: 0.2, bottom: 0.15 },
    },
    timeScale: {
      borderVisible: false,
      // A rotated phone or a resized window keeps showing the whole history.
      lockVisibleTimeRangeOnResize: true,
      // Intraday ticks as times (the formatter gets Time / TimeWithSeconds, not the day).
      timeVisible: true,
      secondsVisible: true,
      tickMarkFormatter: (t: Time, type: TickMarkType) => axis.tick(t, type),
      // Every label at one weight: the library draws a "major" tick (a whole minute among
      // seconds) in bold, which read as a second format on a phone's short axis.
      allowBoldLabels: false,
    },
    localization: { timeFormatter: (t: Time) => axis.crosshair(t) },
    handleScroll: false,
    handleScale: false,
  });
}

/** A theme colour ("#rrggbb") at an opacity, as rgba() (the chart's canvas parses that). */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
