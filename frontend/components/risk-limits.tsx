import { ShieldCheck } from "lucide-react";

import { formatUsd } from "@/lib/money";
import type { RiskLimits } from "@/types";

/** The bot's risk limits in one line of words; the server checks them before every open. */
export function riskLimitWords(limits: RiskLimits): string[] {
  const words: string[] = [];
  if (limits.max_open_positions !== null) words.push(`max ${limits.max_open_positions} open`);
  if (limits.max_order_usd !== null) words.push(`${formatUsd(limits.max_order_usd)} per order`);
  if (limits.cooldown_s !== null) words.push(`${limits.cooldown_s} s between opens`);
  if (limits.daily_loss_limit_usd !== null)
    words.push(`daily loss ${formatUsd(limits.daily_loss_limit_usd)} (UTC)`);
  return words;
}

export function RiskLimitsLine({ limits }: { limits: RiskLimits }) {
  const words = riskLimitWords(limits);
  return (
    <p
      className="mt-3 flex items-start gap-2 border-t border-border pt-3 text-sm"
      data-testid="risk-limits"
    >
      <ShieldCheck className="mt-0.5 size-4 shrink-0 text-muted" aria-hidden />
      <span className="min-w-0">
        <span className="text-muted">Risk limits: </span>
        {words.length > 0 ? (
          <span className="num">{words.join(" · ")}</span>
        ) : (
          <span className="text-muted">none set</span>
        )}
      </span>
    </p>
  );
}
