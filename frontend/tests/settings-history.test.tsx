import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { mergeHistory, SettingsHistory } from "@/components/settings-history";
import type { HistoryItem, HistoryPage } from "@/types/history";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function item(id: number, words = `Budget $${id}.00 → $${id + 1}.00`): HistoryItem {
  return {
    id,
    at: "2026-11-27T04:10:00+00:00",
    when: "27 Nov, 04:10\u00a0UTC",
    who: "You",
    field: "initial_budget_usd",
    words,
  };
}

function page(items: HistoryItem[], count: number, number = 1): HistoryPage {
  return { items, count, page: number, page_size: 2, pages: Math.ceil(count / 2) };
}

describe("mergeHistory", () => {
  it("keeps a row once when a new change shifted the pages, newest first", () => {
    const merged = mergeHistory([item(9), item(8)], [item(8), item(7)]);
    expect(merged.map((i) => i.id)).toEqual([9, 8, 7]);
  });
});

describe("SettingsHistory", () => {
  it("shows the words, when and who, and loads the older page from the API", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(page([item(3)], 3, 2))));
    vi.stubGlobal("fetch", fetchMock);
    render(<SettingsHistory botId={7} history={page([item(5), item(4)], 3)} />);
    expect(screen.getByText("Budget $5.00 → $6.00")).toBeTruthy();
    expect(screen.getAllByText(/27 Nov, 04:10/)).toHaveLength(2);
    expect(screen.getByTestId("history-count").textContent).toBe("2 of 3");

    fireEvent.click(screen.getByTestId("history-more"));
    await waitFor(() => expect(screen.getAllByTestId("history-item")).toHaveLength(3));
    expect(fetchMock).toHaveBeenCalledWith(
      "/api/v1/bots/7/history?page=2&page_size=2",
      expect.objectContaining({ credentials: "same-origin" }),
    );
    expect(screen.queryByTestId("history-more")).toBeNull();
    expect(screen.getByTestId("history-count").textContent).toBe("3 of 3");
  });

  it("says so when the older page cannot be loaded, and keeps the button", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("{}", { status: 503 })),
    );
    render(<SettingsHistory botId={7} history={page([item(5), item(4)], 3)} />);
    fireEvent.click(screen.getByTestId("history-more"));
    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(screen.getByTestId("history-more")).toBeTruthy();
  });

  it("has an empty state", () => {
    render(<SettingsHistory botId={7} history={page([], 0)} />);
    expect(screen.getByText("No changes recorded yet.")).toBeTruthy();
    expect(screen.queryByTestId("history-more")).toBeNull();
  });
});
