import { describe, expect, it } from "vitest";

import { formatAge } from "@/lib/age";
import { priceFormatOf, toMarkers, toPnlData, toPriceData, withLevels } from "@/lib/chart-data";

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
});
