import * as React from "react";

// What the amount buys at the current price, asked from the server (the pipeline's own sizing:
// GET /api/v1/bots/{id}/quote), debounced. The page shows the server's sentence and never does
// the arithmetic itself.
export type OpenQuote =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "ok"; summary: string }
  | { state: "refused"; message: string };

const DEBOUNCE_MS = 350;

export function useOpenQuote(botId: number, sizeUsd: string): OpenQuote {
  const [quote, setQuote] = React.useState<OpenQuote>({ state: "idle" });
  const amount = sizeUsd.trim();
  React.useEffect(() => {
    if (!amount) {
      setQuote({ state: "idle" });
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      setQuote({ state: "loading" });
      try {
        const response = await fetch(
          `/api/v1/bots/${botId}/quote?size_usd=${encodeURIComponent(amount)}`,
          {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
            signal: controller.signal,
          },
        );
        const body = (await response.json().catch(() => null)) as {
          summary?: string;
          detail?: string;
        } | null;
        if (response.ok && body?.summary) setQuote({ state: "ok", summary: body.summary });
        else if (body?.detail) setQuote({ state: "refused", message: body.detail });
        else setQuote({ state: "idle" });
      } catch {
        if (!controller.signal.aborted) setQuote({ state: "idle" });
      }
    }, DEBOUNCE_MS);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [botId, amount]);
  return quote;
}
