import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { Fees } from "@/components/positions";

afterEach(cleanup);

describe("Fees", () => {
  it("says the fee is pending, in muted text next to it", () => {
    const { container } = render(<Fees fees="0.0348003" pending />);
    expect(container.textContent).toBe("fees $0.03 · fee pending");
    expect(screen.getByTestId("fees").className).toContain("text-muted");
  });

  it("shows the fee alone once it is complete", () => {
    const { container } = render(<Fees fees="0.0493008" pending={false} />);
    expect(container.textContent).toBe("fees $0.05");
    expect(screen.queryByTestId("fee-pending")).toBeNull();
  });
});
