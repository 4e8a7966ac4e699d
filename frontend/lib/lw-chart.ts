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

/** A time axis label: "13:55" (or "13:55:02" where the ticks are seconds apart), the day
 * ("26 Nov") where the axis crosses midnight; all UTC, 24-hour. */
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
      attributionLogo: true,
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
