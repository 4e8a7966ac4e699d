import { FieldError, Input, Label } from "@/components/ui/input";
import { cn } from "@/lib/utils";

/** A take-profit or stop-loss as typed: a number and whether it is a price or a % from entry. */
export interface LevelInput {
  value: string;
  unit: "pct" | "price";
}

export const EMPTY_LEVEL: LevelInput = { value: "", unit: "pct" };

/** What the server reads ({"pct": "1"} or {"price": "3000"}), or null when left empty. */
export function levelSpec(level: LevelInput): { pct: string } | { price: string } | null {
  const value = level.value.trim();
  if (!value) return null;
  return level.unit === "pct" ? { pct: value } : { price: value };
}

/** The same as text for a query string: "1%" or "3000" (the quote endpoint's form). */
export function levelText(level: LevelInput): string {
  const value = level.value.trim();
  if (!value) return "";
  return level.unit === "pct" ? `${value}%` : value;
}

export function levelFrom(spec: { price?: string; pct?: string } | undefined): LevelInput {
  if (spec?.price) return { value: spec.price, unit: "price" };
  if (spec?.pct) return { value: spec.pct, unit: "pct" };
  return EMPTY_LEVEL;
}

/** One optional exit field: a decimal input with a "% / price" switch beside it. */
export function LevelField({
  id,
  label,
  level,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  level: LevelInput;
  onChange: (level: LevelInput) => void;
  error?: string;
  hint?: React.ReactNode;
}) {
  return (
    <div>
      <Label htmlFor={id}>{label}</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          name={id}
          inputMode="decimal"
          autoComplete="off"
          placeholder={level.unit === "pct" ? "e.g. 1.5" : "price"}
          className="num min-w-0 flex-1"
          value={level.value}
          aria-invalid={Boolean(error)}
          aria-describedby={`${id}-hint ${id}-error`}
          onChange={(e) => onChange({ ...level, value: e.target.value })}
        />
        <div
          role="radiogroup"
          aria-label={`${label} unit`}
          className="grid shrink-0 grid-flow-col overflow-hidden rounded-lg border border-border bg-bg"
        >
          {(["pct", "price"] as const).map((unit) => (
            <button
              key={unit}
              type="button"
              role="radio"
              aria-checked={level.unit === unit}
              onClick={() => onChange({ ...level, unit })}
              className={cn(
                // 44 px tall (a thumb's target): the segments fill the switch, no inner padding.
                "min-h-11 min-w-11 px-3 text-sm font-semibold focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-focus",
                level.unit === unit ? "bg-surface-2 text-fg" : "text-muted hover:text-fg",
              )}
            >
              {unit === "pct" ? "%" : "Price"}
            </button>
          ))}
        </div>
      </div>
      <p id={`${id}-hint`} className="num mt-1 min-h-4 text-xs break-words text-muted">
        {hint}
      </p>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
