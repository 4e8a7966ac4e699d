import * as React from "react";

import { BudgetBar } from "@/components/budget-bar";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import type { BudgetFigures } from "@/types";

export function BudgetCard({
  budget,
  trace,
  children,
}: {
  budget: BudgetFigures;
  trace: string[] | null;
  children?: React.ReactNode;
}) {
  const [debug, setDebug] = React.useState(false);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Budget</CardTitle>
        {trace && (
          <button
            type="button"
            role="switch"
            aria-checked={debug}
            onClick={() => setDebug((v) => !v)}
            className="-my-2 inline-flex min-h-11 items-center gap-2 rounded-lg px-2 text-sm text-muted hover:text-fg"
          >
            <span
              className={`relative inline-block h-5 w-9 rounded-full transition-colors ${debug ? "bg-accent" : "bg-border"}`}
              aria-hidden
            >
              <span
                className={`absolute top-0.5 size-4 rounded-full bg-white transition-all ${debug ? "left-4.5" : "left-0.5"}`}
              />
            </span>
            Debug
          </button>
        )}
      </CardHeader>
      <BudgetBar budget={budget} />
      {children}
      {debug && trace && (
        <ol
          className="mt-4 space-y-1.5 rounded-lg border border-border bg-bg p-3 font-mono text-xs leading-relaxed text-muted"
          data-testid="budget-trace"
        >
          {trace.map((step, i) => (
            <li key={i} className="break-words">
              {step}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
