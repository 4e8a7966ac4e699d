import { describe, expect, it } from "vitest";

import { centTicks } from "@/lib/chart-ticks";
import { formatUsd } from "@/lib/money";

const labels = (values: number[]) => centTicks(values).map((v) => formatUsd(String(v)));

describe("centTicks", () => {
  it("never prints the same label twice for a range of a few cents", () => {
    const shown = labels([-0.0213, -0.0152, -0.0004, 0.0071]);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toContain("-$0.02");
  });

  it("spans the values with round steps", () => {
    expect(centTicks([-3.2, 12.9])).toEqual([-5, 0, 5, 10, 15]);
    expect(centTicks([1.5, 1.5])).toEqual([1.5, 1.51]);
  });

  it("keeps labels distinct over many ranges", () => {
    for (const [a, b] of [
      [0, 0.03],
      [-0.05, 0.01],
      [-120.4, 7.77],
      [0.001, 0.004],
      [-9999.99, 12000],
    ]) {
      const shown = labels([a, b]);
      expect(new Set(shown).size).toBe(shown.length);
      expect(centTicks([a, b])[0]).toBeLessThanOrEqual(a);
      expect(centTicks([a, b]).at(-1)).toBeGreaterThanOrEqual(b);
    }
  });
});
