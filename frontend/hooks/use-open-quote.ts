import * as React from "react";

// What the amount buys at the current price, asked from the server (the pipeline's own sizing:
// GET /api/v1/bots/{id}/quote), debounced. The page shows the server's sentence and never does
// the arithmetic itself. With a take-profit / stop-loss (issue 12) the same answer carries their
// trigger prices ("Stop-loss at 2905.21 (-1.00 %)"), or what the open would refuse about them.
export interface ExitsQuote {
  summaries: Partial<Record<"take_profit" | "stop_loss", string>>;
  error: { field: string; message: string } | null;
}

export type OpenQuote =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "ok"; summary: string; exits: ExitsQuote }
  | { state: "refused"; message: string };

const DEBOUNCE_MS = 350;

export function useOpenQuote(
  botId: number,
  sizeUsd: string,
  exits: { side: string; takeProfit: string; stopLoss: string } = {
    side: "long",
    takeProfit: "",
    stopLoss: "",
  },
): OpenQuote {
  const [quote, setQuote] = React.useState<OpenQuote>({ state: "idle" });
  const amount = sizeUsd.trim();
  const { side, takeProfit, stopLoss } = exits;
  React.useEffect(() => {
    if (!amount) {
      setQuote({ state: "idle" });
      return;
    }
    const controller = new AbortController();
    // The side always goes along: a long buys and a short sells, and the fill's price (the
    // venue's slippage) differs between them, so the quote says what this side books.
    const query = new URLSearchParams({ size_usd: amount, side });
    if (takeProfit) query.set("take_profit", takeProfit);
    if (stopLoss) query.set("stop_loss", stopLoss);
    const timer = window.setTimeout(async () => {
      setQuote({ state: "loading" });
      try {
        const response = await fetch(`/api/v1/bots/${botId}/quote?${query.toString()}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        const body = (await response.json().catch(() => null)) as {
          summary?: string;
          detail?: string;
          exits?: { kind: "take_profit" | "stop_loss"; summary: string }[];
          exits_error?: { field: string; message: string } | null;
        } | null;
        if (response.ok && body?.summary) {
          const summaries: ExitsQuote["summaries"] = {};
          for (const row of body.exits ?? []) summaries[row.kind] = row.summary;
          setQuote({
            state: "ok",
            summary: body.summary,
            exits: { summaries, error: body.exits_error ?? null },
          });
        } else if (body?.detail) setQuote({ state: "refused", message: body.detail });
        else setQuote({ state: "idle" });
      } catch {
        if (!controller.signal.aborted) setQuote({ state: "idle" });
      }
    }, DEBOUNCE_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [botId, amount, side, takeProfit, stopLoss]);
  return quote;
}
