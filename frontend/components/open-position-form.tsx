import { useForm } from "@inertiajs/react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { Segmented } from "@/components/ui/segmented";
import { EMPTY_LEVEL, levelSpec, levelText, type LevelInput } from "@/components/exits-fields";
import { OpenExitsFields } from "@/components/exits-open-fields";
import { type OpenQuote, useOpenQuote } from "@/hooks/use-open-quote";
import { useShared } from "@/hooks/use-shared";
import { cn } from "@/lib/utils";
import type { FlashMessage } from "@/types";

type Side = "long" | "short";

export function OpenPositionForm({
  botId,
  disabledReason,
  formKey,
  priceKey = "",
}: {
  botId: number;
  disabledReason: string;
  // One key per render of the page: a replayed or double submit opens one position.
  formKey: string;
  // The page's live price (with its time): the quote is asked again when it changes.
  priceKey?: string;
}) {
  const { errors } = useShared();
  const form = useForm<{
    side: Side;
    size_usd: string;
    take_profit: LevelInput;
    stop_loss: LevelInput;
  }>({ side: "long", size_usd: "", take_profit: EMPTY_LEVEL, stop_loss: EMPTY_LEVEL });
  const now: Fields = {
    size_usd: form.data.size_usd,
    side: form.data.side,
    take_profit: levelText(form.data.take_profit),
    stop_loss: levelText(form.data.stop_loss),
  };
  const { quote, exits, exitsStale } = useOpenQuote(
    botId,
    form.data.size_usd,
    { side: now.side, takeProfit: now.take_profit, stopLoss: now.stop_loss },
    priceKey,
  );
  // An error belongs to the value it was about: the server's answer to the last submit is shown
  // only while its field still holds what was submitted (the values at load for an answer that
  // came with the page); once the field changes, the live quote speaks for the new value.
  const [submitted, setSubmitted] = React.useState<Fields>(now);
  const [opened, setOpened] = React.useState<{ message: string; after: Fields } | null>(null);
  const current = (field: keyof Fields) => submitted[field] === now[field];
  const orderError =
    (current("size_usd") ? errors.size_usd : undefined) ||
    (current("size_usd") && current("side") ? errors.order : undefined);
  const exitErrors = {
    take_profit: current("take_profit") ? errors.take_profit : undefined,
    stop_loss: current("stop_loss") ? errors.stop_loss : undefined,
  };
  // The last open's result stays under the amount until the form is changed.
  const openedShown =
    opened && JSON.stringify(opened.after) === JSON.stringify(now) ? opened.message : null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Open a position</CardTitle>
      </CardHeader>
      <form
        className="space-y-3"
        onSubmit={(event) => {
          event.preventDefault();
          if (form.processing) return;
          setSubmitted(now);
          setOpened(null);
          const data = form.data;
          form.transform((data) => ({
            ...data,
            take_profit: levelSpec(data.take_profit),
            stop_loss: levelSpec(data.stop_loss),
            idempotency_key: formKey,
          }));
          form.post(`/bots/${botId}/orders/open`, {
            preserveScroll: true,
            onSuccess: (page) => {
              // A second tap must not open a second position: the amount goes, and so do the
              // exits' values (their units stay), so the next open never carries this one's
              // take-profit/stop-loss without its preview showing; the side stays, and the result
              // stays next to the form. `setDefaults` first: otherwise useForm, after this
              // callback, writes back the data it held before (Inertia 3 makes the submitted data
              // the new defaults), and the values return.
              const cleared = {
                side: data.side,
                size_usd: "",
                take_profit: { ...data.take_profit, value: "" },
                stop_loss: { ...data.stop_loss, value: "" },
              };
              form.setDefaults(cleared);
              form.setData(cleared);
              const flash = (page.props as { flash?: FlashMessage[] }).flash ?? [];
              const success = flash.find((m) => m.level === "success");
              const after = { ...now, size_usd: "", take_profit: "", stop_loss: "" };
              if (success) setOpened({ message: success.message, after });
            },
          });
        }}
      >
        <Segmented<Side>
          label="Side"
          value={form.data.side}
          onChange={(side) => form.setData("side", side)}
          options={[
            { value: "long", label: "Long", activeClass: "bg-gain-strong text-gain-strong-fg" },
            { value: "short", label: "Short", activeClass: "bg-loss-strong text-loss-strong-fg" },
          ]}
        />
        <div>
          <Label htmlFor="size_usd">Amount (USD)</Label>
          <div className="flex gap-2">
            <div className="relative min-w-0 flex-1">
              <span
                className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-muted"
                aria-hidden
              >
                $
              </span>
              <Input
                id="size_usd"
                name="size_usd"
                inputMode="decimal"
                autoComplete="off"
                placeholder="10.00"
                className="num pl-7"
                value={form.data.size_usd}
                aria-invalid={Boolean(orderError)}
                aria-describedby="open-quote open-error"
                onChange={(e) => form.setData("size_usd", e.target.value)}
              />
            </div>
            <Button
              type="submit"
              pending={form.processing}
              disabled={Boolean(disabledReason)}
              className="min-w-24"
            >
              {form.processing ? "Opening…" : "Open"}
            </Button>
          </div>
          <OpenQuoteLine quote={quote} orderError={orderError} disabled={Boolean(disabledReason)} />
          <FieldError id="open-error" message={orderError} />
          {openedShown && (
            // No role="status": the toast already announces it; this copy stays in view.
            <p className="mt-1.5 text-sm text-gain-fg" data-testid="open-result">
              {openedShown}
            </p>
          )}
          {disabledReason && <p className="mt-1.5 text-sm text-muted">{disabledReason}</p>}
        </div>
        <OpenExitsFields
          takeProfit={form.data.take_profit}
          stopLoss={form.data.stop_loss}
          onTakeProfit={(level) => form.setData("take_profit", level)}
          onStopLoss={(level) => form.setData("stop_loss", level)}
          quote={exits}
          stale={exitsStale}
          errors={exitErrors}
        />
      </form>
    </Card>
  );
}

interface Fields {
  size_usd: string;
  side: Side;
  take_profit: string;
  stop_loss: string;
}

/** The quote under the amount: what it buys at the current price, and the refusal the Open
 * would get now (the server's words). Asked at an older price than the page shows, its figures
 * are hidden (their room kept) until the new answer arrives. */
function OpenQuoteLine({
  quote,
  orderError,
  disabled,
}: {
  quote: OpenQuote;
  orderError?: string;
  disabled: boolean; // the form already says why (paused, halted): not said twice
}) {
  const stale = "stale" in quote && quote.stale;
  let refusal = quote.state === "refused" ? quote.message : null;
  if (quote.state === "ok" && quote.refusal) {
    // The refusals that also disable the form (paused, halted, inactive, today's loss limit).
    const botRefuses = ["bot_paused", "bot_not_tradable", "daily_loss_limit"].includes(
      quote.refusal.code,
    );
    refusal = disabled && botRefuses ? null : quote.refusal.message;
  }
  return (
    <div
      id="open-quote"
      className={cn(
        "num relative mt-1.5 text-sm break-words text-muted",
        !orderError && "min-h-5", // room kept for the quote, not above an error
      )}
      aria-live="polite"
      aria-busy={stale}
      data-testid="open-quote"
      data-stale={stale ? "true" : undefined}
    >
      {quote.state === "ok" && (
        <p className={cn(stale && "invisible")} data-testid="open-quote-summary">
          {quote.summary}
        </p>
      )}
      {stale && <span className="absolute top-0 left-0">Repricing…</span>}
      {quote.state === "loading" && "Pricing…"}
      {/* The same words as the submit's answer: said once, by the answer when there is one. */}
      {refusal && refusal !== orderError && !(quote.state === "refused" && orderError) && (
        // A reason of its own (no summary above it) names prices too ("... opens is $5.82
        // (0.01 BNB at $581.97)"): at an older price it is hidden like the summary, room kept.
        <p
          className={cn("text-warn", stale && quote.state === "refused" && "invisible")}
          data-testid="open-refusal"
        >
          {quote.state === "ok" && "Open would be refused: "}
          {refusal}
        </p>
      )}
    </div>
  );
}
