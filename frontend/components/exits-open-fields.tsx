import { LevelField, type LevelInput } from "@/components/exits-fields";
import type { ExitsQuote } from "@/lib/exits-preview";

/** The Open form's optional take-profit and stop-loss (in % from entry or as a price), with the
 * trigger prices the server quotes for them. */
export function OpenExitsFields({
  takeProfit,
  stopLoss,
  onTakeProfit,
  onStopLoss,
  quote,
  stale = false,
  errors,
}: {
  takeProfit: LevelInput;
  stopLoss: LevelInput;
  onTakeProfit: (level: LevelInput) => void;
  onStopLoss: (level: LevelInput) => void;
  quote: ExitsQuote | null;
  stale?: boolean; // asked at an older price than the page shows: the trigger prices are hidden
  errors: { take_profit?: string; stop_loss?: string };
}) {
  // Each exit's preview and refusal are its own: one field never hides the other's.
  const refused = (kind: "take_profit" | "stop_loss") => quote?.errors[kind];
  // Side by side only when the form itself is wide enough (a container query, not the screen's
  // width): in the desktop layout's narrow right column they stack, each input at full width.
  return (
    <div className="@container">
      <fieldset className="grid gap-3 @lg:grid-cols-2" data-testid="open-exits">
        <legend className="mb-1 text-sm text-muted">Exits (optional)</legend>
        <LevelField
          id="take_profit"
          label="Take-profit"
          level={takeProfit}
          onChange={onTakeProfit}
          error={errors.take_profit ?? refused("take_profit")}
          hint={<Hint text={quote?.summaries.take_profit} stale={stale} />}
        />
        <LevelField
          id="stop_loss"
          label="Stop-loss"
          level={stopLoss}
          onChange={onStopLoss}
          error={errors.stop_loss ?? refused("stop_loss")}
          hint={<Hint text={quote?.summaries.stop_loss} stale={stale} />}
        />
      </fieldset>
    </div>
  );
}

function Hint({ text, stale }: { text?: string; stale: boolean }) {
  if (!text) return null;
  return <span className={stale ? "invisible" : undefined}>{text}</span>;
}
