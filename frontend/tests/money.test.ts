import { describe, expect, it } from "vitest";

import {
  formatPrice,
  formatStep,
  formatUsd,
  groupDigits,
  placesOf,
  sameAmount,
  signOf,
} from "@/lib/money";

describe("formatUsd", () => {
  it("formats with two decimals and thousands separators", () => {
    expect(formatUsd("8.83")).toBe("$8.83");
    expect(formatUsd("1234567.5")).toBe("$1,234,567.50");
    expect(formatUsd("100")).toBe("$100.00");
  });

  it("puts the minus before the dollar sign", () => {
    expect(formatUsd("-1.25")).toBe("-$1.25");
  });

  it("never shows a negative zero", () => {
    expect(formatUsd("-0.00")).toBe("$0.00");
    expect(formatUsd("-0.004")).toBe("$0.00");
    expect(formatUsd("0")).toBe("$0.00");
    expect(formatUsd("-0.004", { signed: true })).toBe("$0.00");
  });

  it("rounds half to even on the digits, never through a float", () => {
    expect(formatUsd("8.80368")).toBe("$8.80");
    expect(formatUsd("0.125")).toBe("$0.12");
    expect(formatUsd("0.135")).toBe("$0.14");
    expect(formatUsd("0.1250001")).toBe("$0.13");
    expect(formatUsd("999.995")).toBe("$1,000.00");
    expect(formatUsd("-0.00880368")).toBe("-$0.01");
    expect(formatUsd("12345678901234567.899")).toBe("$12,345,678,901,234,567.90");
  });

  it("truncates toward zero for amounts that must not be overstated", () => {
    expect(formatUsd("91.19632", { towardZero: true })).toBe("$91.19");
    expect(formatUsd("9.999", { towardZero: true })).toBe("$9.99");
  });

  it("signs PnL when asked", () => {
    expect(formatUsd("3.5", { signed: true })).toBe("+$3.50");
    expect(formatUsd("-3.5", { signed: true })).toBe("-$3.50");
  });

  it("shows a dash for missing or malformed values", () => {
    expect(formatUsd(null)).toBe("—");
    expect(formatUsd("abc")).toBe("—");
    expect(formatUsd("1e5")).toBe("—");
  });
});

describe("signOf and sameAmount", () => {
  it("reads the sign from the string", () => {
    expect(signOf("-0.01")).toBe(-1);
    expect(signOf("-0.00")).toBe(0);
    expect(signOf("2")).toBe(1);
  });

  it("compares amounts regardless of trailing zeros", () => {
    expect(sameAmount("10.00", "10")).toBe(true);
    expect(sameAmount("8.80368", "10.00")).toBe(false);
  });
});

describe("formatStep", () => {
  it("reads a step's decimal places", () => {
    expect(placesOf("0.01")).toBe(2);
    expect(placesOf("0.00100000")).toBe(3);
    expect(placesOf("1")).toBe(0);
    expect(placesOf(null)).toBeNull();
  });

  it("pads a price to the tick's precision", () => {
    expect(formatStep("590.9", "0.01")).toBe("590.90");
    expect(formatStep("590", "0.01")).toBe("590.00");
    expect(formatStep("0.1", "0.001")).toBe("0.100");
    expect(formatStep("3", "1")).toBe("3");
  });

  it("never drops digits finer than the step, and leaves unknown steps alone", () => {
    expect(formatStep("593.1633", "0.01")).toBe("593.1633");
    expect(formatStep("590.9", null)).toBe("590.9");
    expect(formatStep(null, "0.01")).toBe("—");
  });
});

describe("formatPrice", () => {
  it("groups a price by thousands at its tick, like the money beside it", () => {
    expect(formatPrice("99999", "0.01")).toBe("99,999.00");
    expect(formatPrice("2934.56", "0.01")).toBe("2,934.56");
    expect(formatPrice("613.4", "0.01")).toBe("613.40");
    expect(formatPrice("1234567.891", "0.01")).toBe("1,234,567.891"); // finer: every digit kept
    expect(formatPrice(null, "0.01")).toBe("—");
  });

  it("groups the whole part only, sign kept", () => {
    expect(groupDigits("16061.72")).toBe("16,061.72");
    expect(groupDigits("-16061.72")).toBe("-16,061.72");
    expect(groupDigits("100")).toBe("100");
    expect(groupDigits("n/a")).toBe("n/a");
  });
});
