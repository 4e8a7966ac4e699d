import { describe, expect, it } from "vitest";

import { idPieces } from "@/lib/id-breaks";

describe("idPieces", () => {
  it("cuts a client order id only after its separators", () => {
    expect(idPieces("egis-3-a1b2c3d4e5f6a7b8c9d0")).toEqual([
      "egis-",
      "3-",
      "a1b2c3d4e5f6a7b8c9d0",
    ]);
  });

  it("keeps a sender's timestamp id readable at its own punctuation", () => {
    expect(idPieces("tv_BTCUSDT.P-2026-11-27T02:15")).toEqual([
      "tv_",
      "BTCUSDT.",
      "P-",
      "2026-",
      "11-",
      "27T02:",
      "15",
    ]);
  });

  it("leaves a token without separators whole, and an empty id empty", () => {
    expect(idPieces("9f8e7d6c5b4a3210")).toEqual(["9f8e7d6c5b4a3210"]);
    expect(idPieces("")).toEqual([]);
    expect(idPieces("a--b").join("")).toBe("a--b");
  });
});
