import { describe, expect, it } from "vitest";

import { exitsFromBody, exitsStillMeant } from "@/lib/exits-preview";

const answer = exitsFromBody({
  exits: [{ kind: "take_profit", summary: "Take-profit at $2,993.25 (+2.00%)" }],
  exits_errors: [{ field: "stop_loss.price", message: "A long's stop-loss must be below" }],
  exits_error: { field: "stop_loss.price", message: "A long's stop-loss must be below" },
});
const asked = { side: "long", take_profit: "2%", stop_loss: "3000" };

describe("the open form's exit previews", () => {
  it("reads each exit's summary and refusal by kind", () => {
    expect(answer).toEqual({
      summaries: { take_profit: "Take-profit at $2,993.25 (+2.00%)" },
      errors: { stop_loss: "A long's stop-loss must be below" },
    });
  });

  it("reads an older server's single exits_error", () => {
    const old = exitsFromBody({ exits_error: { field: "take_profit.pct", message: "bad" } });
    expect(old.errors).toEqual({ take_profit: "bad" });
  });

  it("keeps the take-profit's preview while the stop-loss is retyped", () => {
    const now = { ...asked, stop_loss: "300" };
    expect(exitsStillMeant({ asked, quote: answer }, now)).toEqual({
      summaries: { take_profit: "Take-profit at $2,993.25 (+2.00%)" },
      errors: {},
    });
  });

  it("keeps the stop-loss's refusal while the take-profit is retyped, and drops the other", () => {
    const now = { ...asked, take_profit: "3%" };
    expect(exitsStillMeant({ asked, quote: answer }, now)).toEqual({
      summaries: {},
      errors: { stop_loss: "A long's stop-loss must be below" },
    });
  });

  it("drops everything for another side or an emptied field", () => {
    expect(exitsStillMeant({ asked, quote: answer }, { ...asked, side: "short" })).toBeNull();
    expect(exitsStillMeant({ asked, quote: answer }, { ...asked, take_profit: "" })).toEqual({
      summaries: {},
      errors: { stop_loss: "A long's stop-loss must be below" },
    });
    expect(exitsStillMeant(null, asked)).toBeNull();
  });
});
