import { describe, expect, it } from "vitest";
import type { UTCTimestamp } from "lightweight-charts";

import { formatAge } from "@/lib/age";
import {
  axisPrice,
  levelBand,
  levelsOffChart,
  pnlAxis,
  priceFormatOf,
  tickLabels,
  toMarkers,
  toPnlData,
  toPriceData,
  withLevels,
} from "@/lib/chart-data";

const colors = { long: "green", short: "red", exit: "white" };

describe("chart data", () => {
  it("plots the server's points at their unix seconds", () => {
    expect(toPriceData([1764150000, 1764150005], ["2934.56", "2935"])).toEqual([
      { time: 1764150000, value: 2934.56 },
      { time: 1764150005, value: 2935 },
    ]);
  });

  it("puts entries at their fill price, up for a long, down for a short; exits as circles", () => {
    const [long, short, exit] = toMarkers(
      [
        { t: 10, kind: "entry", side: "long", position_id: 7, price: "100.5" },
        { t: 11, kind: "entry", side: "short", position_id: 8, price: "101" },
        { t: 12, kind: "exit", side: "long", position_id: 7, price: "102.25" },
      ],
      colors,
    );
    expect(long).toMatchObject({
      position: "atPriceBottom",
      price: 100.5,
      shape: "arrowUp",
      color: "green",
      text: "Long #7",
    });
    expect(short).toMatchObject({ position: "atPriceTop", shape: "arrowDown", text: "Short #8" });
    expect(exit).toMatchObject({ position: "atPriceMiddle", shape: "circle", text: "Exit #7" });
  });

  it("plots realized PnL on close numbers", () => {
    const points = [
      { n: 4, position_id: 1, closed_at: "", pnl_usd: "1.00", cumulative_usd: "-0.25" },
      { n: 5, position_id: 2, closed_at: "", pnl_usd: "0.50", cumulative_usd: "0.25" },
    ];
    expect(toPnlData(points)).toEqual([
      { time: 4, value: -0.25 },
      { time: 5, value: 0.25 },
    ]);
  });

  it("formats the price axis at the symbol's tick", () => {
    expect(priceFormatOf("0.01")).toEqual({ precision: 2, minMove: 0.01 });
    expect(priceFormatOf("0.0001")).toEqual({ precision: 4, minMove: 0.0001 });
    expect(priceFormatOf("1")).toEqual({ precision: 0, minMove: 1 });
    expect(priceFormatOf(null)).toEqual({ precision: 2, minMove: 0.01 });
  });
});

describe("withLevels", () => {
  it("widens the price axis to the take-profit and stop-loss lines", () => {
    const info = { priceRange: { minValue: 2925, maxValue: 2950 } };
    expect(withLevels(info, [2915, 2955])).toEqual({
      priceRange: { minValue: 2915, maxValue: 2955 },
    });
    expect(withLevels(info, [2930])).toEqual(info);
    expect(withLevels(null, [1])).toBeNull();
  });

  it("leaves a far-away level off the axis: TP $1 and SL $99,999 on a $600-$620 coin", () => {
    const info = { priceRange: { minValue: 600, maxValue: 620 } };
    expect(withLevels(info, [1, 99999])).toEqual(info);
    // A near one still widens it, the far one in the same call does not.
    expect(withLevels(info, [1, 630])).toEqual({ priceRange: { minValue: 600, maxValue: 630 } });
  });

  it("reaches one span of the recent prices beyond them, at least 2% of the price", () => {
    expect(levelBand({ minValue: 600, maxValue: 620 })).toEqual({ low: 580, high: 640 });
    // A flat price: 2% of 1000 either side, so a 1.5% stop is still drawn.
    expect(levelBand({ minValue: 1000, maxValue: 1000 })).toEqual({ low: 980, high: 1020 });
    const flat = { priceRange: { minValue: 1000, maxValue: 1000 } };
    expect(withLevels(flat, [985])).toEqual({ priceRange: { minValue: 985, maxValue: 1000 } });
    expect(withLevels(flat, [975])).toEqual(flat);
  });

  it("names the levels it leaves off, for the words under the chart", () => {
    const lines = [
      { kind: "tp" as const, price: "1", label: "TP #10" },
      { kind: "sl" as const, price: "615.5", label: "SL #10" },
      { kind: "sl" as const, price: "99999", label: "SL #11" },
    ];
    expect(levelsOffChart(["600", "620", "610"], lines).map((l) => l.label)).toEqual([
      "TP #10",
      "SL #11",
    ]);
    expect(levelsOffChart([], lines)).toEqual([]);
  });
});

describe("the price axis labels", () => {
  it("group thousands at the tick's decimals", () => {
    expect(axisPrice(125000, 2)).toBe("125,000.00");
    expect(axisPrice(2941.5, 2)).toBe("2,941.50");
    expect(axisPrice(613.49, 2)).toBe("613.49");
    expect(axisPrice(0.12345, 4)).toBe("0.1235");
    expect(axisPrice(-1234.5, 1)).toBe("-1,234.5");
  });

  it("leave no tick label half under a tag (current price, TP, SL)", () => {
    // 10 px per dollar, 620.00 at the top.
    const y = (price: number) => (620 - price) * 10;
    const labels = tickLabels([600, 605, 610, 615, 620], [613.49, 606.5], y, 16, (p) =>
      axisPrice(p, 2),
    );
    // 610.00 is 34.9 px from the 613.49 tag: kept; 615.00 (15.1 px) and 605.00 (15 px from
    // 606.50) would peek out from under their tags: their words go.
    expect(labels).toEqual(["600.00", "", "610.00", "", "620.00"]);
  });

  it("keep every label when no tag is on the chart", () => {
    expect(tickLabels([1, 2], [5], () => null, 16, String)).toEqual(["1", "2"]);
  });
});

describe("formatAge", () => {
  it("says how old a price is in words", () => {
    expect(formatAge(0)).toBe("now");
    expect(formatAge(2.7)).toBe("2 s ago");
    expect(formatAge(59)).toBe("59 s ago");
    expect(formatAge(60)).toBe("1 min ago");
    expect(formatAge(7200)).toBe("2 h ago");
    expect(formatAge(200000)).toBe("2 d ago");
    expect(formatAge(null)).toBe("no price yet");
  });

  it("labels the PnL axis with the closed positions' numbers, not the close count", () => {
    const points = [
      { n: 41, position_id: 7, closed_at: "", pnl_usd: "1.00", cumulative_usd: "1.00" },
      { n: 42, position_id: 12, closed_at: "", pnl_usd: "-0.50", cumulative_usd: "0.50" },
    ];
    const axis = pnlAxis(points);
    expect([axis.tick(41 as UTCTimestamp), axis.tick(42 as UTCTimestamp)]).toEqual(["#7", "#12"]);
    expect(axis.crosshair(42 as UTCTimestamp)).toBe("Position #12 closed");
    expect(axis.tick(43 as UTCTimestamp)).toBe("");
    expect(toPnlData(points).map((p) => p.time)).toEqual([41, 42]);
  });
});
