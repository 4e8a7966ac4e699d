import { describe, expect, it } from "vitest";

import { formatPct } from "@/lib/percent";

describe("formatPct", () => {
  it("writes a percentage with no space before %, grouped like the prices", () => {
    expect(formatPct("29.2")).toBe("29.2%");
    expect(formatPct("1.45")).toBe("1.45%");
    expect(formatPct("16061.72")).toBe("16,061.72%");
    expect(formatPct("-1.00")).toBe("-1.00%");
  });

  it("signs a value when asked, never twice", () => {
    expect(formatPct("2.00", { signed: true })).toBe("+2.00%");
    expect(formatPct("+2.00", { signed: true })).toBe("+2.00%");
    expect(formatPct("-3307.63", { signed: true })).toBe("-3,307.63%");
    expect(formatPct("0", { signed: true })).toBe("+0%");
  });
});
