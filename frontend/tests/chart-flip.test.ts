import { describe, expect, it } from "vitest";

import { thinLabels, toMarkers } from "@/lib/chart-data";
import { clearOfTags, labelBox, tagBox } from "@/lib/chart-tags";

const colors = { long: "green", short: "red", exit: "white" };

describe("a signal's flip on the price chart", () => {
  // Long #9 closed and short #10 opened on the same bar (t = 20).
  const flip = toMarkers(
    [
      { t: 10, kind: "entry", side: "long", position_id: 9, price: "100" },
      { t: 20, kind: "exit", side: "long", position_id: 9, price: "101" },
      { t: 20, kind: "entry", side: "short", position_id: 10, price: "101" },
    ],
    colors,
  );

  it("is one text on the entry, the exit's circle on the other side of the price", () => {
    const [, exit, entry] = flip;
    expect(entry).toMatchObject({ position: "atPriceTop", text: "Exit #9 · Short #10" });
    expect(exit).toMatchObject({ position: "atPriceBottom", shape: "circle", text: "" });
    // After a short, a long's arrow is below the price: the circle goes above.
    const [circle, long] = toMarkers(
      [
        { t: 5, kind: "exit", side: "short", position_id: 3, price: "99" },
        { t: 5, kind: "entry", side: "long", position_id: 4, price: "99" },
      ],
      colors,
    );
    expect(circle).toMatchObject({ position: "atPriceTop", text: "" });
    expect(long).toMatchObject({ position: "atPriceBottom", text: "Exit #3 · Long #4" });
  });

  it("keeps its words when another label is near, by the width of its longer text", () => {
    const x = (m: { time: unknown }) => Number(m.time) * 8; // 8 px a second
    // 80 px apart: two short labels (64 px) would fit, a flip's text (~115 px) and one do not.
    expect(thinLabels(flip, x, 64).map((m) => m.text)).toEqual(["", "", "Exit #9 · Short #10"]);
    const far = (m: { time: unknown }) => Number(m.time) * 20;
    expect(thinLabels(flip, far, 64).map((m) => m.text)).toEqual([
      "Long #9",
      "",
      "Exit #9 · Short #10",
    ]);
  });
});

describe("marker words under a TP/SL tag", () => {
  const paneWidth = 300;
  const sl = tagBox("SL #10", 120, paneWidth); // right edge, about 53 px wide

  it("are left out where the tag is drawn, kept elsewhere", () => {
    const long = { position: "atPriceBottom" as const, text: "Long #10" };
    // The newest entry near the right edge, its words below the arrow at the SL's height.
    const under = labelBox(long, 280, 100, 12, 64);
    expect(under.top).toBe(115);
    const [covered] = clearOfTags([long], () => under, [sl]);
    expect(covered.text).toBe("");
    // The same entry further left, or well above the line, keeps its words.
    const [left] = clearOfTags([long], () => labelBox(long, 150, 100, 12, 64), [sl]);
    const [above] = clearOfTags([long], () => labelBox(long, 280, 40, 12, 64), [sl]);
    expect([left.text, above.text]).toEqual(["Long #10", "Long #10"]);
  });

  it("places a short's words above its arrow and an exit's below its circle", () => {
    expect(labelBox({ position: "atPriceTop", text: "Short #2" }, 50, 100, 12, 64)).toEqual({
      left: 18,
      right: 82,
      top: 72,
      bottom: 85,
    });
    expect(labelBox({ position: "atPriceMiddle", text: "Exit #2" }, 50, 100, 12, 64).top).toBe(109);
  });
});
