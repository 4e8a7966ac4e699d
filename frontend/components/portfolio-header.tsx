import { router } from "@inertiajs/react";
import { CheckCircle2, TriangleAlert } from "lucide-react";

import { Money } from "@/components/money";
import { Card } from "@/components/ui/card";
import { formatUsd } from "@/lib/money";
import { formatPct } from "@/lib/percent";
import type { OwnerOption, PortfolioProps } from "@/types";

function Figure({
  label,
  children,
  title,
}: {
  label: string;
  children: React.ReactNode;
  title?: string;
}) {
  return (
    <div className="min-w-0 text-right">
      <dt className="text-xs text-muted" title={title}>
        {label}
      </dt>
      <dd className="num text-sm font-medium">{children}</dd>
    </div>
  );
}

/** The answer to "is everything fine?" in words: never colour alone. */
function Status({ portfolio }: { portfolio: PortfolioProps }) {
  if (portfolio.all_fine) {
    return (
      <p
        role="status"
        data-testid="all-fine"
        className="flex items-start gap-2 rounded-lg border border-gain-border bg-gain-surface p-3 text-sm text-gain"
      >
        <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>{portfolio.status_text}</span>
      </p>
    );
  }
  return (
    <div
      role="alert"
      data-testid="needs-attention"
      className="rounded-lg border border-warn-border bg-warn-surface p-3 text-sm text-warn-fg"
    >
      <p className="flex items-start gap-2 font-semibold">
        <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
        {portfolio.status_text}
      </p>
      <ul className="mt-1 list-disc space-y-0.5 pl-8 [overflow-wrap:anywhere]">
        {portfolio.attention.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

function OwnerFilter({ owners, selected }: { owners: OwnerOption[]; selected: number | null }) {
  return (
    <label className="flex items-center gap-2 text-sm text-muted">
      <span>Show</span>
      <select
        className="min-h-11 rounded-lg border border-border bg-surface-2 px-3 text-fg"
        value={selected ?? ""}
        onChange={(e) =>
          router.get("/", e.target.value ? { owner: e.target.value } : {}, { preserveScroll: true })
        }
        data-testid="owner-filter"
      >
        <option value="">Every user</option>
        {owners.map((o) => (
          <option key={o.id} value={o.id}>
            {o.username}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The portfolio at a glance: the server's totals over the bots listed below (they add up to
 * the cards), and whether anything needs attention. Formats only. */
export function PortfolioHeader({
  portfolio,
  owners,
  ownerFilter,
}: {
  portfolio: PortfolioProps;
  owners: OwnerOption[] | null;
  ownerFilter: number | null;
}) {
  const closed = portfolio.closed_count;
  return (
    <Card className="space-y-3" data-testid="portfolio-header" aria-label="Portfolio">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">Portfolio</h2>
        {owners && owners.length > 0 && <OwnerFilter owners={owners} selected={ownerFilter} />}
      </div>
      <Status portfolio={portfolio} />
      <dl className="grid grid-cols-3 gap-x-3 gap-y-2">
        <Figure label="Initial">{formatUsd(portfolio.initial_budget_usd)}</Figure>
        <Figure label="Reserved">{formatUsd(portfolio.reserved_usd)}</Figure>
        <Figure label="Available">{formatUsd(portfolio.available_usd)}</Figure>
        <Figure
          label="Realized"
          title={`Closed positions, net of all their fees; exact ${formatUsd(portfolio.realized_pnl_exact_usd, { signed: true })}`}
        >
          <Money value={portfolio.realized_pnl_usd} pnl />
        </Figure>
        <Figure label="Unrealized">
          {portfolio.unrealized_shown_usd === null ? (
            <span className="text-muted">no price</span>
          ) : (
            <Money value={portfolio.unrealized_shown_usd} pnl />
          )}
        </Figure>
        <Figure label="Fees paid" title={`Exact: ${formatUsd(portfolio.fees_exact_usd)}`}>
          {formatUsd(portfolio.fees_usd)}
        </Figure>
        <Figure label="Win rate">
          {portfolio.win_rate_pct === null ? (
            <span className="text-muted">—</span>
          ) : (
            formatPct(portfolio.win_rate_pct)
          )}
        </Figure>
        <Figure label="Closed trades">
          {closed.toLocaleString("en-US")}
          {closed > 0 && (
            <span className="ml-1 text-xs font-normal text-muted">({portfolio.wins} won)</span>
          )}
        </Figure>
        <Figure label="Open">{portfolio.open_positions}</Figure>
      </dl>
      {portfolio.paused.length > 0 && (
        <p className="text-xs [overflow-wrap:anywhere] text-muted" data-testid="paused-bots">
          Paused: {portfolio.paused.join(", ")}
        </p>
      )}
    </Card>
  );
}
