import { useForm } from "@inertiajs/react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import { Segmented } from "@/components/ui/segmented";
import { EMPTY_LEVEL, levelSpec, levelText, type LevelInput } from "@/components/exits-fields";
import { OpenExitsFields } from "@/components/exits-open-fields";
import { useOpenQuote } from "@/hooks/use-open-quote";
import { useShared } from "@/hooks/use-shared";
import { cn } from "@/lib/utils";

type Side = "long" | "short";

export function OpenPositionForm({
  botId,
  disabledReason,
  formKey,
}: {
  botId: number;
  disabledReason: string;
  // One key per render of the page: a replayed or double submit opens one position.
  formKey: string;
}) {
  const { errors } = useShared();
  const form = useForm<{
    side: Side;
    size_usd: string;
    take_profit: LevelInput;
    stop_loss: LevelInput;
  }>({ side: "long", size_usd: "", take_profit: EMPTY_LEVEL, stop_loss: EMPTY_LEVEL });
  const quote = useOpenQuote(botId, form.data.size_usd, {
    side: form.data.side,
    takeProfit: levelText(form.data.take_profit),
    stopLoss: levelText(form.data.stop_loss),
  });
  // One message about the amount, next to it: the server's answer to the last submit while the
  // amount is still what was submitted, else the live quote's refusal (the same words twice
  // otherwise: the quote refuses "Order too small" and so does the submit).
  const [submitted, setSubmitted] = React.useState<string | null>(null);
  const serverError = errors.size_usd || errors.order;
  const orderError =
    serverError && (submitted === null || submitted === form.data.size_usd)
      ? serverError
      : undefined;
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
          setSubmitted(form.data.size_usd);
          form.transform((data) => ({
            ...data,
            take_profit: levelSpec(data.take_profit),
            stop_loss: levelSpec(data.stop_loss),
            idempotency_key: formKey,
          }));
          form.post(`/bots/${botId}/orders/open`, {
            preserveScroll: true,
            onSuccess: () => form.reset("size_usd"),
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
          <p
            id="open-quote"
            className={cn(
              "num mt-1.5 text-sm break-words text-muted",
              !orderError && "min-h-5", // room kept for the quote, not above an error
            )}
            aria-live="polite"
            data-testid="open-quote"
          >
            {quote.state === "ok" && quote.summary}
            {quote.state === "refused" && !orderError && (
              <span className="text-warn">{quote.message}</span>
            )}
            {quote.state === "loading" && "Pricing…"}
          </p>
          <FieldError id="open-error" message={orderError} />
          {disabledReason && <p className="mt-1.5 text-sm text-muted">{disabledReason}</p>}
        </div>
        <OpenExitsFields
          takeProfit={form.data.take_profit}
          stopLoss={form.data.stop_loss}
          onTakeProfit={(level) => form.setData("take_profit", level)}
          onStopLoss={(level) => form.setData("stop_loss", level)}
          quote={quote.state === "ok" ? quote.exits : null}
          errors={{ take_profit: errors.take_profit, stop_loss: errors.stop_loss }}
        />
      </form>
    </Card>
  );
}
