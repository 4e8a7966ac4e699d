import { Money } from "@/components/money";
import type { BudgetFigures } from "@/types";

/** Reserved vs available out of the initial budget. The three figures are the budget service's
 * shown cents (they add up; available is never more than can be spent); the width comes from
 * the server's percentage. Formatting only: nothing is rounded or subtracted here. */
export function BudgetBar({ budget }: { budget: BudgetFigures }) {
  const pct = Math.min(100, Math.max(0, Number(budget.reserved_pct) || 0));
  return (
    <div>
      <div
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-available-track"
        role="img"
        aria-label={`Reserved ${pct.toFixed(0)} percent of the initial budget`}
      >
        <div className="h-full bg-accent" style={{ width: `${pct}%` }} />
      </div>
      <dl className="mt-2.5 grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt className="flex items-center gap-1.5 text-xs text-muted">
            <span className="size-2 rounded-full bg-accent" aria-hidden />
            Reserved
          </dt>
          <dd>
            <Money value={budget.reserved_usd} className="font-medium" />
          </dd>
        </div>
        <div>
          <dt className="flex items-center gap-1.5 text-xs text-muted">
            <span className="size-2 rounded-full bg-available" aria-hidden />
            Available
          </dt>
          <dd>
            <Money value={budget.available_usd} className="font-medium" />
          </dd>
        </div>
        <div className="text-right">
          <dt className="text-xs text-muted">Initial</dt>
          <dd>
            <Money value={budget.initial_budget_usd} className="font-medium" />
          </dd>
        </div>
      </dl>
    </div>
  );
}
