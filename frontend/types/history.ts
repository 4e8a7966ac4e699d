// A bot's settings history (egis.bots.settings_history): each change in the server's words, with
// who made it in the viewer's terms ("You", "An admin", "Egis") and when ("27 Nov, 00:19 UTC").

export interface HistoryItem {
  id: number;
  at: string; // ISO 8601
  when: string; // as the pages write a moment (egis.core.when)
  who: string;
  field: string; // the audit field: "initial_budget_usd", "webhook", "signals", ...
  words: string; // "Budget $200.00 → $250.00"
}

/** One page, newest first: the bot page sends the first; GET /api/v1/bots/{id}/history the rest. */
export interface HistoryPage {
  items: HistoryItem[];
  count: number;
  page: number;
  page_size: number;
  pages: number;
}
