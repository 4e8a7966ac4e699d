import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { DeliveryLog, type NotificationDelivery } from "@/components/notifications-card";

afterEach(cleanup);

const row = (over: Partial<NotificationDelivery>): NotificationDelivery => ({
  id: 1,
  channel: "webhook",
  event: "fill",
  bot_id: 1,
  text: "Demo BNB bot (BNBUSDT): open long filled",
  status: "sent",
  attempts: 1,
  last_error: "",
  created_at: "2026-11-26T10:00:00+00:00",
  sent_at: "2026-11-26T10:00:01+00:00",
  next_attempt_at: null,
  ...over,
});

describe("DeliveryLog", () => {
  it("says when nothing was sent yet", () => {
    render(<DeliveryLog log={[]} />);
    expect(screen.getByText("Nothing sent yet.")).toBeTruthy();
  });

  it("tells queued, retrying and failed apart, with the last error in words", () => {
    render(
      <DeliveryLog
        log={[
          row({ id: 3, status: "pending", attempts: 0, sent_at: null }),
          row({
            id: 2,
            status: "pending",
            attempts: 2,
            sent_at: null,
            last_error: "webhook receiver unreachable (ConnectError)",
            next_attempt_at: "2026-11-26T10:01:00+00:00",
          }),
          row({
            id: 1,
            channel: "telegram",
            status: "failed",
            last_error: "Telegram 400: Bad Request: chat not found",
          }),
        ]}
      />,
    );
    expect(screen.getByText("Queued")).toBeTruthy();
    expect(screen.getByText("Retrying")).toBeTruthy();
    expect(screen.getByText("Failed")).toBeTruthy();
    expect(
      screen.getByText("Last error: webhook receiver unreachable (ConnectError)"),
    ).toBeTruthy();
    expect(screen.getByText(/2 attempts/)).toBeTruthy();
    expect(screen.getByText(/next try/)).toBeTruthy();
  });
});
