import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { Money, SizeWithHint } from "@/components/money";

afterEach(cleanup);

describe("SizeWithHint", () => {
  it("shows the executed size first and the request as a quiet hint", () => {
    const { container } = render(<SizeWithHint size="8.80368" requested="10.00" />);
    expect(container.textContent).toBe("$8.80(requested $10.00)");
    const hint = screen.getByTestId("requested-hint");
    expect(hint.className).toContain("text-muted");
    expect(container.firstElementChild?.firstElementChild?.textContent).toBe("$8.80");
  });

  it("shows no hint when the fill matched the request", () => {
    const { container } = render(<SizeWithHint size="10.00000000" requested="10" />);
    expect(container.textContent).toBe("$10.00");
    expect(screen.queryByTestId("requested-hint")).toBeNull();
  });
});

describe("Money", () => {
  it("colours PnL by sign and keeps the sign in the text", () => {
    render(<Money value="-1.25" pnl />);
    const node = screen.getByText("-$1.25");
    expect(node.className).toContain("text-loss");
    expect(node.className).toContain("num");
  });
});
