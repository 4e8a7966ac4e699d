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

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function asDate(time: Time): Date {
  return new Date(Number(time) * 1000);
}

/** A small chart for a card: no scrolling or zooming (a phone scrolls the page, not the chart). */
export function cardChart(
  container: HTMLElement,
  axis: { tick: (t: Time, type: TickMarkType) => string; crosshair: (t: Time) => string } = {
    // Ticks seconds apart say the seconds too (otherwise a minute of ticks all read "10:14").
    tick: (t, type) => {
      const date = asDate(t);
      const seconds = type === TickMarkType.TimeWithSeconds || date.getSeconds() !== 0;
      return (seconds ? clockSeconds : clock).format(date);
    },
    crosshair: (t) => clockSeconds.format(asDate(t)),
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
    rightPriceScale: { borderVisible: false },
    timeScale: {
      borderVisible: false,
      // A rotated phone or a resized window keeps showing the whole history.
      lockVisibleTimeRangeOnResize: true,
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
