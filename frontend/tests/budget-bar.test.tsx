import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { BudgetBar } from "@/components/budget-bar";

afterEach(cleanup);

describe("BudgetBar", () => {
  it("shows the server's shown cents as they are: they add up, nothing is re-rounded", () => {
    render(
      <BudgetBar
        budget={{
          initial_budget_usd: "100.00",
          reserved_usd: "5.94",
          available_usd: "94.06",
          reserved_pct: "5.9",
        }}
      />,
    );
    expect(screen.getByText("$5.94")).toBeTruthy();
    expect(screen.getByText("$94.06")).toBeTruthy();
    expect(screen.getByText("$100.00")).toBeTruthy();
  });

  it("shows a negative available with its sign", () => {
    render(
      <BudgetBar
        budget={{
          initial_budget_usd: "10.00",
          reserved_usd: "18.08",
          available_usd: "-8.08",
          reserved_pct: "100",
        }}
      />,
    );
    expect(screen.getByText("-$8.08")).toBeTruthy();
  });
});
