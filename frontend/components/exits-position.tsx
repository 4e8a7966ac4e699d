import { useForm } from "@inertiajs/react";
import { ShieldAlert } from "lucide-react";
import * as React from "react";

import { EMPTY_LEVEL, LevelField, levelFrom, levelSpec } from "@/components/exits-fields";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { Sheet, SheetClose, SheetContent, SheetFooter } from "@/components/ui/sheet";
import { useShared } from "@/hooks/use-shared";
import { formatPrice } from "@/lib/money";
import { formatPct } from "@/lib/percent";
import type { ExitRow, PositionRow, SymbolSteps } from "@/types";

export function exitsErrorKey(positionId: number): string {
  return `exits_${positionId}`;
}

/** The server's signed distance from the current price, in words: "2.51% above price". */
function awayText(pct: string): string {
  if (/^-?0(\.0+)?$/.test(pct)) return "at the price";
  const size = formatPct(pct.replace(/^-/, "")); // "16,061.72%", grouped like the prices
  return pct.startsWith("-") ? `${size} below price` : `${size} above price`;
}

function ExitLine({ exit, steps }: { exit: ExitRow; steps: SymbolSteps }) {
  const broken = exit.status === "failed" || exit.status === "expired";
  const trigger = exit.trigger_price
    ? formatPrice(exit.trigger_price, steps.price_tick)
    : `from ${formatPrice(exit.activation_price, steps.price_tick)}`;
  return (
    <li
      className="flex items-baseline justify-between gap-2 text-sm"
      data-testid={`exit-${exit.kind}`}
    >
      <span className={broken ? "text-error line-through" : "whitespace-nowrap text-fg"}>
        {exit.label}
        {exit.kind === "trailing_stop" && exit.callback_pct && ` ${formatPct(exit.callback_pct)}`}
        {exit.status === "placing" && " (placing…)"}
      </span>
      <span className="num text-right">
        <span className="whitespace-nowrap">{trigger}</span>
        {!broken && (exit.distance_pct || exit.from_entry_pct) && (
          <span className="block text-xs text-muted">
            {exit.distance_pct && (
              <span className="block whitespace-nowrap" data-testid="exit-away">
                {awayText(exit.distance_pct)}
              </span>
            )}
            {exit.from_entry_pct && (
              <span className="block whitespace-nowrap" data-testid="exit-from-entry">
                {formatPct(exit.from_entry_pct, { signed: true })} from entry
              </span>
            )}
          </span>
        )}
      </span>
    </li>
  );
}

/** An open position's exits: each trigger with its distance from the current price ("2.51%
 * above price") and its place from the entry ("+2.00% from entry", what the forms take), a loud line when one
 * broke, and the Edit exits sheet. */
export function PositionExits({
  botId,
  position,
  steps,
}: {
  botId: number;
  position: PositionRow;
  steps: SymbolSteps;
}) {
  const exits = (position.exits ?? []).filter((e) => e.status !== "cancelled");
  const error = useShared().errors[exitsErrorKey(position.id)];
  return (
    <div className="mt-3 border-t border-border pt-2" data-testid={`exits-${position.id}`}>
      {position.exits_alert && (
        <p
          role="alert"
          className="mb-2 flex items-start gap-1.5 rounded-lg border border-danger-border bg-danger-surface p-2 text-sm font-medium text-danger-fg"
          data-testid="exits-alert"
        >
          <ShieldAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span className="min-w-0 break-words">{position.exits_alert}</span>
        </p>
      )}
      <div className="flex items-center justify-between gap-3">
        <h4 className="text-xs font-medium text-muted">Exits</h4>
        <EditExitsSheet botId={botId} position={position} disabled={position.closing} />
      </div>
      {exits.length === 0 ? (
        <p className="mt-1 text-sm text-muted">
          None set: no take-profit or stop-loss watches this position.
        </p>
      ) : (
        <ul className="mt-1 space-y-1">
          {exits.map((e) => (
            <ExitLine key={e.id} exit={e} steps={steps} />
          ))}
        </ul>
      )}
      <FieldError id={`exits-error-${position.id}`} message={error} />
    </div>
  );
}

function EditExitsSheet({
  botId,
  position,
  disabled,
}: {
  botId: number;
  position: PositionRow;
  disabled: boolean;
}) {
  const [open, setOpen] = React.useState(false);
  // A refusal stays in the sheet, next to the field it concerns (the view files it under
  // "exits_7.stop_loss"), with what was typed; the sheet closes only on a save that worked.
  const [showErrors, setShowErrors] = React.useState(false);
  const errors = useShared().errors;
  const key = exitsErrorKey(position.id);
  const fieldError = (name: string) => (showErrors ? errors[`${key}.${name}`] : undefined);
  const live = (kind: ExitRow["kind"]) =>
    (position.exits ?? []).find(
      (e) => e.kind === kind && (e.status === "resting" || e.status === "placing"),
    );
  const initial = () => ({
    take_profit: levelFrom(live("take_profit")?.spec),
    stop_loss: levelFrom(live("stop_loss")?.spec),
    trail_pct: live("trailing_stop")?.spec.callback_pct ?? "",
    trail_activation: live("trailing_stop")?.spec.activation_price ?? "",
  });
  const form = useForm(initial());
  const side = position.side === "long" ? "below" : "above";
  return (
    <Sheet
      open={open}
      onOpenChange={(next) => {
        if (form.processing) return;
        if (next) {
          form.setData(initial());
          setShowErrors(false);
        }
        setOpen(next);
      }}
    >
      <Button
        variant="secondary"
        size="sm"
        disabled={disabled}
        onClick={() => setOpen(true)}
        data-testid={`edit-exits-${position.id}`}
      >
        Edit exits
      </Button>
      <SheetContent
        title={`Exits of position #${position.id}`}
        description={`Percentages are from the entry price. A ${position.side}'s stop must be ${side} the current price. Leave a field empty to remove that exit.`}
      >
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            if (form.processing) return;
            setShowErrors(true);
            form.transform((data) => ({
              take_profit: levelSpec(data.take_profit),
              stop_loss: levelSpec(data.stop_loss),
              trailing_stop: data.trail_pct.trim()
                ? {
                    callback_pct: data.trail_pct.trim(),
                    activation_price: data.trail_activation.trim() || null,
                  }
                : null,
            }));
            form.post(`/bots/${botId}/positions/${position.id}/exits`, {
              preserveScroll: true,
              preserveState: true,
              onSuccess: () => setOpen(false),
            });
          }}
        >
          <LevelField
            id={`tp-${position.id}`}
            label="Take-profit"
            level={form.data.take_profit ?? EMPTY_LEVEL}
            onChange={(level) => form.setData("take_profit", level)}
            error={fieldError("take_profit")}
          />
          <LevelField
            id={`sl-${position.id}`}
            label="Stop-loss"
            level={form.data.stop_loss ?? EMPTY_LEVEL}
            onChange={(level) => form.setData("stop_loss", level)}
            error={fieldError("stop_loss")}
          />
          <div className="grid grid-cols-2 gap-2">
            <div>
              <Label htmlFor={`trail-${position.id}`}>Trailing stop %</Label>
              <Input
                id={`trail-${position.id}`}
                inputMode="decimal"
                autoComplete="off"
                placeholder="0.1 – 10"
                className="num"
                value={form.data.trail_pct}
                aria-invalid={Boolean(fieldError("trailing_stop"))}
                aria-describedby={`trail-${position.id}-error`}
                onChange={(e) => form.setData("trail_pct", e.target.value)}
              />
              <FieldError id={`trail-${position.id}-error`} message={fieldError("trailing_stop")} />
            </div>
            <div>
              <Label htmlFor={`trail-act-${position.id}`}>Activation price</Label>
              <Input
                id={`trail-act-${position.id}`}
                inputMode="decimal"
                autoComplete="off"
                placeholder="optional"
                className="num"
                value={form.data.trail_activation}
                aria-invalid={Boolean(fieldError("trailing_stop.activation_price"))}
                aria-describedby={`trail-act-${position.id}-error`}
                onChange={(e) => form.setData("trail_activation", e.target.value)}
              />
              <FieldError
                id={`trail-act-${position.id}-error`}
                message={fieldError("trailing_stop.activation_price")}
              />
            </div>
          </div>
          {/* A refusal about the position as a whole (closing, venue, database busy). */}
          <FieldError message={showErrors ? errors[key] : undefined} />
          <SheetFooter>
            <SheetClose asChild>
              <Button type="button" variant="secondary" disabled={form.processing}>
                Cancel
              </Button>
            </SheetClose>
            <Button type="submit" pending={form.processing}>
              {form.processing ? "Saving…" : "Save exits"}
            </Button>
          </SheetFooter>
        </form>
      </SheetContent>
    </Sheet>
  );
}

/** A closed row's reason as the server wrote it: "Closed by hand", "Signal", or the exit that
 * closed it with its trigger at the symbol's tick ("Stop-loss (trigger $2,900.00)"); the fill is
 * the row's exit price. */
export function CloseReasonText({ position }: { position: PositionRow }) {
  if (!position.close_reason_text) return null;
  return (
    <span
      className={position.close_trigger_price ? "font-medium text-fg" : undefined}
      data-testid="close-reason"
    >
      {position.close_reason_text}
    </span>
  );
}
