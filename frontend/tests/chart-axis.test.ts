import { TickMarkType, type UTCTimestamp } from "lightweight-charts";
import { describe, expect, it } from "vitest";

import { thinLabels } from "@/lib/chart-data";
import { axisTime, crosshairTime, timeAxis } from "@/lib/lw-chart";

// 2026-11-26 13:55:02 UTC
const t = 1795701302 as UTCTimestamp;

describe("the price chart's time axis", () => {
  it("is 24-hour UTC whatever the browser's zone, seconds only where the ticks need them", () => {
    expect(axisTime(t, TickMarkType.Time)).toBe("13:55");
    expect(axisTime(t, TickMarkType.TimeWithSeconds)).toBe("13:55:02");
    expect(axisTime(t, TickMarkType.DayOfMonth)).toBe("26 Nov");
    expect(crosshairTime(t)).toBe("26 Nov, 13:55:02 UTC");
  });
});

describe("the price chart's time axis in one format for the span shown", () => {
  const kinds = [TickMarkType.TimeWithSeconds, TickMarkType.Time, TickMarkType.DayOfMonth];
  const labels = (span: number) => kinds.map((type) => timeAxis(span)(t, type));

  it("reads HH:MM:SS on every tick under 5 minutes (was 00:15:43 then 00:16)", () => {
    expect(labels(4 * 60)).toEqual(["13:55:02", "13:55:02", "13:55:02"]);
  });

  it("reads HH:MM from 5 minutes, with no words on a tick inside a minute", () => {
    expect(labels(5 * 60)).toEqual(["", "13:55", "13:55"]);
    expect(labels(36 * 3600)).toEqual(["", "13:55", "13:55"]);
  });

  it("reads the day from 2 days", () => {
    expect(labels(3 * 86400)).toEqual(["", "", "26 Nov"]);
  });
});

describe("marker labels", () => {
  const markers = [10, 20, 30, 100, 110, 200].map((x) => ({ x, text: `#${x}` }));

  it("keep their words only where they have room, the newest first", () => {
    const shown = thinLabels(markers, (m) => m.x, 64);
    expect(shown.map((m) => m.text)).toEqual(["", "", "#30", "", "#110", "#200"]);
    expect(shown.map((m) => m.x)).toEqual([10, 20, 30, 100, 110, 200]); // every marker stays
  });

  it("drop the words of markers off the visible axis", () => {
    expect(thinLabels(markers, () => null, 64).every((m) => m.text === "")).toBe(true);
  });
});
