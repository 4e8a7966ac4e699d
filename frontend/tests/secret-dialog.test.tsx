import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SecretDialog } from "@/components/secret-dialog";

afterEach(cleanup);

const secret = {
  title: "New login for bob",
  description: "Shown once.",
  items: [
    { label: "Password", value: "generated-pw-123" },
    { label: "API token", value: "egis_abc_def" },
  ],
};

describe("SecretDialog", () => {
  it("shows every secret with a copy button that uses the clipboard", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<SecretDialog secret={secret} onDismiss={() => {}} />);
    expect(screen.getByTestId("secret-Password").textContent).toBe("generated-pw-123");
    expect(screen.getByTestId("secret-API token").textContent).toBe("egis_abc_def");
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Copy API token" }));
    });
    expect(writeText).toHaveBeenCalledWith("egis_abc_def");
    expect(screen.getByRole("button", { name: "Copy API token" }).textContent).toContain("Copied");
  });

  it("says so when the clipboard is not available", async () => {
    Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true });
    render(<SecretDialog secret={secret} onDismiss={() => {}} />);
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Copy Password" }));
    });
    expect(screen.getByText("Copy blocked: select the text and copy it.")).toBeTruthy();
  });

  it("stays open on Escape and closes only when dismissed", () => {
    const onDismiss = vi.fn();
    render(<SecretDialog secret={secret} onDismiss={onDismiss} />);
    fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    expect(screen.queryByRole("dialog")).not.toBeNull();
    expect(onDismiss).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    expect(onDismiss).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("speaks of the one secret its note names, not of every item", () => {
    const hook = { ...secret, note: "Egis keeps the secret only encrypted" };
    render(<SecretDialog secret={hook} onDismiss={() => {}} />);
    expect(
      screen.getByText(
        "Egis keeps the secret only encrypted: once this dialog is closed it cannot be shown again.",
      ),
    ).toBeTruthy();
  });
});
