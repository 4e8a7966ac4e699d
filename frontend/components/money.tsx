import { formatUsd, sameAmount, signOf } from "@/lib/money";
import { cn } from "@/lib/utils";

/** A USD figure. `pnl` colours it by sign and adds a word-free sign (+/-) so colour is never alone. */
export function Money({
  value,
  pnl = false,
  towardZero = false,
  className,
}: {
  value: string | null | undefined;
  pnl?: boolean;
  towardZero?: boolean;
  className?: string;
}) {
  const text = formatUsd(value, { towardZero, signed: pnl });
  // Colour follows the figure shown: an amount that rounds to $0.00 is neither gain nor loss.
  const sign = pnl && text !== "$0.00" ? signOf(value) : 0;
  return (
    <span className={cn("num", sign > 0 && "text-gain", sign < 0 && "text-loss", className)}>
      {text}
    </span>
  );
}

/** The authoritative size first; the request only as a quiet hint when it differed. */
export function SizeWithHint({
  size,
  requested,
}: {
  size: string;
  requested: string | null | undefined;
}) {
  const differs = requested != null && requested !== "" && !sameAmount(size, requested);
  return (
    <span className="num">
      <span className="font-semibold text-fg">{formatUsd(size)}</span>
      {differs && (
        <span className="ml-1 text-xs text-muted" data-testid="requested-hint">
          (requested {formatUsd(requested)})
        </span>
      )}
    </span>
  );
}
