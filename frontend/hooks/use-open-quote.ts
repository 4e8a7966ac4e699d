import * as React from "react";

// What the amount buys at the current price, asked from the server (the pipeline's own sizing:
// GET /api/v1/bots/{id}/quote), debounced. The page shows the server's sentence and never does
// the arithmetic itself. With a take-profit / stop-loss (issue 12) the same answer carries their
// trigger prices ("Stop-loss at $2,905.21 (-1.00%)"), or what the open would refuse about them.
// `refusal` is what the Open would be refused now (not enough budget, netting, a risk limit, the
// bot paused or halted), from the open's own preflight on the server. An amount below the
// smallest order is an answer too (200, `refusal.code` "order_size", no summary): "refused",
// in the server's words. The exits' previews are kept per exit (`exits`, see lib/exits-preview).
import {
  type ExitsAsked,
  type ExitsQuote,
  exitsFromBody,
  exitsStillMeant,
} from "@/lib/exits-preview";

type Answer =
  | {
      state: "ok";
      summary: string;
      refusal: { code: string; message: string } | null;
    }
  | { state: "refused"; message: string };

// `stale`: the page's live price changed since this answer was asked; a new one is on its way.
export type OpenQuote = { state: "idle" } | { state: "loading" } | (Answer & { stale: boolean });

const DEBOUNCE_MS = 350; // while typing
const REPRICE_MS = 150; // after the page's price changed: a burst of refreshes asks once

interface Held {
  inputs: string; // the amount, side and exits the answer is for
  priceKey: string; // the page's price when it was asked
  answer: Answer | "loading" | null;
}

// The last answer's exits, kept apart from the answer: each exit's preview stays while its own
// field (and the side) is unchanged, whatever the amount or the other exit is doing.
interface HeldExits {
  asked: ExitsAsked;
  priceKey: string;
  quote: ExitsQuote;
}

export interface OpenQuoteState {
  quote: OpenQuote;
  // The exits' previews that still speak for their fields (null: none asked or none left).
  exits: ExitsQuote | null;
  exitsStale: boolean; // asked at an older price than the page shows: hidden, room kept
}

export function useOpenQuote(
  botId: number,
  sizeUsd: string,
  exits: { side: string; takeProfit: string; stopLoss: string } = {
    side: "long",
    takeProfit: "",
    stopLoss: "",
  },
  // The page's live price (and its time): a new one asks again, so the quote follows it.
  priceKey = "",
): OpenQuoteState {
  const amount = sizeUsd.trim();
  const { side, takeProfit, stopLoss } = exits;
  const inputs = JSON.stringify([botId, amount, side, takeProfit, stopLoss]);
  const [held, setHeld] = React.useState<Held>({ inputs, priceKey, answer: null });
  const [heldExits, setHeldExits] = React.useState<HeldExits | null>(null);
  const lastInputs = React.useRef(inputs);
  React.useEffect(() => {
    if (!amount) {
      lastInputs.current = inputs;
      setHeld({ inputs, priceKey, answer: null });
      return;
    }
    const repriceOnly = lastInputs.current === inputs;
    lastInputs.current = inputs;
    const controller = new AbortController();
    // The side always goes along: a long buys and a short sells, and the fill's price (the
    // venue's slippage) differs between them, so the quote says what this side books.
    const query = new URLSearchParams({ size_usd: amount, side });
    if (takeProfit) query.set("take_profit", takeProfit);
    if (stopLoss) query.set("stop_loss", stopLoss);
    const timer = window.setTimeout(
      async () => {
        // A new price keeps the old answer's room (hidden, see `stale`): nothing jumps.
        if (!repriceOnly) setHeld({ inputs, priceKey, answer: "loading" });
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
            exits_errors?: { field: string; message: string }[];
            refusal?: { code: string; message: string };
          } | null;
          let answer: Answer | null = null;
          if (response.ok && body) {
            // Any answer quotes the exits, also one refusing the amount (they need the price).
            const asked = { side, take_profit: takeProfit, stop_loss: stopLoss };
            setHeldExits({ asked, priceKey, quote: exitsFromBody(body) });
          }
          if (response.ok && body?.summary) {
            answer = {
              state: "ok",
              summary: body.summary,
              refusal: body.refusal ?? null,
            };
          } else if (response.ok && body?.refusal) {
            // Nothing it can buy (below the smallest order): the reason, as the Open would say.
            answer = { state: "refused", message: body.refusal.message };
          } else if (body?.detail) answer = { state: "refused", message: body.detail };
          setHeld({ inputs, priceKey, answer });
        } catch {
          if (!controller.signal.aborted) setHeld({ inputs, priceKey, answer: null });
        }
      },
      repriceOnly ? REPRICE_MS : DEBOUNCE_MS,
    );
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [botId, amount, side, takeProfit, stopLoss, inputs, priceKey]);

  const exitsNow = exitsStillMeant(heldExits, {
    side,
    take_profit: takeProfit,
    stop_loss: stopLoss,
  });
  const exitsStale = heldExits !== null && heldExits.priceKey !== priceKey;
  return { quote: quoteNow(held, amount, inputs, priceKey), exits: exitsNow, exitsStale };
}

function quoteNow(held: Held, amount: string, inputs: string, priceKey: string): OpenQuote {
  if (!amount || held.answer === null) return { state: "idle" };
  // An answer for other inputs is not shown: the new one is on its way.
  if (held.answer === "loading" || held.inputs !== inputs) return { state: "loading" };
  // Asked at an older price than the page shows: the page hides its figures until the new one.
  return { ...held.answer, stale: held.priceKey !== priceKey };
}
