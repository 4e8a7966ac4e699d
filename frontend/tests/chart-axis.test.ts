import { TickMarkType, type UTCTimestamp } from "lightweight-charts";
import { describe, expect, it } from "vitest";

import { thinLabels } from "@/lib/chart-data";
import { axisTime, crosshairTime } from "@/lib/lw-chart";

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
