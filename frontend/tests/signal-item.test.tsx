import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { SignalItem, signalReason, SignalStatusBadge, signalTitle } from "@/components/signal-item";
import { formatDateTime, formatRecentTime } from "@/lib/utils";
import type { SignalRow } from "@/types";

afterEach(cleanup);

const NOW = new Date("2026-11-26T21:10:00Z");

function signal(over: Partial<SignalRow> = {}): SignalRow {
  return {
    id: 41,
    received_at: "2026-11-26T21:04:37.512Z",
    processed_at: "2026-11-26T21:04:38Z",
    sender_id: "tv-7",
    action: "open long $25.00",
    status: "executed",
    reason: "",
    code: "",
    orders: [],
    ...over,
  };
}

describe("formatRecentTime", () => {
  it("shows today's times to the second, in UTC", () => {
    expect(formatRecentTime("2026-11-26T21:04:37.512Z", NOW)).toBe("21:04:37\u00a0UTC");
    expect(formatRecentTime("2026-11-26T00:00:05Z", NOW)).toBe("00:00:05\u00a0UTC");
  });

  it("keeps the date for an older time", () => {
    const older = "2026-11-25T23:59:59Z";
    expect(formatRecentTime(older, NOW)).toBe(formatDateTime(older));
    expect(formatRecentTime(older, NOW)).toBe("25 Nov, 23:59\u00a0UTC");
  });

  it("never lets a line break part the clock from UTC (a no-break space joins them)", () => {
    expect(formatDateTime("2026-11-27T00:12:00Z")).toMatch(/00:12\u00a0UTC$/);
    expect(formatRecentTime("2026-11-26T21:04:37Z", NOW)).not.toMatch(/ UTC/);
  });

  it("says nothing for a missing or broken time", () => {
    expect(formatRecentTime(null, NOW)).toBe("—");
    expect(formatRecentTime("not a time", NOW)).toBe("—");
  });
});

describe("SignalStatusBadge", () => {
  it.each([
    ["rejected", "text-warn"],
    ["failed", "text-error"],
    ["executed", "text-gain"],
    ["queued", "text-muted"],
  ] as const)("marks %s with its word and its tone", (status, tone) => {
    render(<SignalStatusBadge status={status} />);
    const badge = screen.getByTestId("signal-status");
    expect(badge.textContent).toBe(status);
    expect(badge.className).toContain(tone);
  });
});

describe("SignalItem", () => {
  it("titles an unreadable signal in a trader's words, with the reason under it", () => {
    expect(signalTitle({ action: "" })).toBe("Not understood");
    render(
      <ul>
        <SignalItem
          signal={signal({
            action: "",
            status: "rejected",
            reason: 'Not understood: unknown field "sizee" (did you mean size_usd?)',
            code: "malformed",
          })}
          positionHref={(id) => `#position-${id}`}
        />
      </ul>,
    );
    const row = screen.getByTestId("signal-41");
    expect(within(row).getByTestId("signal-title").textContent).toBe("Not understood");
    expect(row.textContent).not.toContain("unreadable");
    expect(within(row).getByTestId("signal-status").className).toContain("text-warn");
    // The reason under it, without "Not understood" said twice.
    expect(within(row).getByTestId("signal-reason").textContent).toBe(
      'Unknown field "sizee" (did you mean size_usd?)',
    );
  });

  it("keeps a reason whole when it does not repeat the title", () => {
    const off = { action: "", reason: "Signals are off for this bot" };
    expect(signalReason(off)).toBe("Signals are off for this bot");
    const asked = { action: "open long $20.00", reason: "Not understood: x" };
    expect(signalReason(asked)).toBe("Not understood: x");
  });

  it("shows what it asked, when, who sent it, and links each position it touched", () => {
    render(
      <ul>
        <SignalItem
          signal={signal({
            received_at: new Date().toISOString(),
            orders: [
              { client_order_id: "egis-9-abc", intent: "open", status: "filled", position_id: 7 },
            ],
          })}
          positionHref={(id) => `/bots/3#position-${id}`}
          testId="activity-signal"
        />
      </ul>,
    );
    const row = screen.getByTestId("activity-signal");
    expect(within(row).getByTestId("signal-title").textContent).toBe("open long $25.00");
    expect(within(row).getByTestId("signal-time").textContent).toMatch(/^\d\d:\d\d:\d\d\sUTC$/);
    // "id" stays on the line of the id it names (a no-break space), the id whole in its title.
    expect(row.textContent).toContain("id\u00a0tv-7");
    expect(within(row).getByTestId("signal-sender-id").getAttribute("title")).toBe("tv-7");
    const link = within(row).getByTestId("signal-position-link");
    expect(link.getAttribute("href")).toBe("/bots/3#position-7");
    expect(link.textContent).toContain("position #7");
    expect(link.textContent).toContain("egis-9-abc");
    // The whole order line is the target: at least 44 px tall.
    expect(link.className).toContain("min-h-11");
  });
});
