import { Link, router } from "@inertiajs/react";
import * as React from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CloseReasonText, PositionExits } from "@/components/exits-position";
import { Money, SizeWithHint } from "@/components/money";
import { LiveFigure } from "@/components/price-feed";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/input";
import { useShared } from "@/hooks/use-shared";
import { formatPrice, formatStep, formatUsd } from "@/lib/money";
import { formatDateTime } from "@/lib/utils";
import type { Paginated, PositionRow, SymbolSteps } from "@/types";

// A close's answer belongs to its position (the server keys it "position_<id>"), not the form.
export function positionErrorKey(id: number): string {
  return `position_${id}`;
}

export function usePositionError(id: number): string | undefined {
  return useShared().errors[positionErrorKey(id)];
}

export function SideBadge({ side }: { side: "long" | "short" }) {
  return (
    <Badge tone={side === "long" ? "gain" : "danger"}>{side === "long" ? "Long" : "Short"}</Badge>
  );
}

/** The fees booked so far; "fee pending" (muted) while the venue has not listed every trade of a
 * fill yet, so the figure is still incomplete (recovery books the rest). */
export function Fees({
  fees,
  pending,
  label = "fees",
}: {
  fees: string;
  pending: boolean;
  label?: string;
}) {
  return (
    <div className="num text-xs text-muted" data-testid="fees">
      {label} {formatUsd(fees)}
      {pending && <span data-testid="fee-pending"> · fee pending</span>}
    </div>
  );
}

// Two columns on a phone (left, right); from 640 px one row of four, every figure right-aligned.
function Figure({
  label,
  children,
  right = false,
}: {
  label: string;
  children: React.ReactNode;
  right?: boolean;
}) {
  return (
    <div className={right ? "text-right" : "sm:text-right"}>
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="num text-sm">{children}</dd>
    </div>
  );
}

export function OpenPositionRow({
  botId,
  position,
  steps,
}: {
  botId: number;
  position: PositionRow;
  steps: SymbolSteps;
}) {
  const price = (v: string | null | undefined) => formatPrice(v, steps.price_tick);
  const qty = formatStep(position.qty, steps.qty_step);
  const [pending, setPending] = React.useState(false);
  const close = (done: () => void) => {
    setPending(true);
    router.post(
      `/bots/${botId}/positions/${position.id}/close`,
      {},
      {
        preserveScroll: true,
        onFinish: () => {
          setPending(false);
          done();
        },
      },
    );
  };
  const opening = position.qty === "0";
  const error = usePositionError(position.id);
  return (
    <li
      id={`position-${position.id}`}
      className="rounded-lg border border-border bg-bg p-3"
      data-testid={`open-position-${position.id}`}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <SideBadge side={position.side} />
          <SizeWithHint size={position.display.size_usd} requested={position.requested_size_usd} />
          {/* The number the chart's tags and the sheets name it by ("TP #10"). */}
          <span className="num text-sm text-muted" data-testid="position-number">
            #{position.id}
          </span>
          {position.closing && <Badge tone="warn">Closing…</Badge>}
          {opening && <Badge tone="warn">Opening…</Badge>}
        </div>
        <ConfirmDialog
          title={`Close position #${position.id}?`}
          description={position.display.close_text ?? ""}
          confirmLabel="Close position"
          pending={pending}
          onConfirm={close}
          trigger={
            <Button
              variant="secondary"
              size="sm"
              disabled={position.closing || opening}
              pending={pending}
            >
              Close
            </Button>
          }
        />
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-x-3 gap-y-2 sm:grid-cols-4">
        <Figure label="Qty">{qty}</Figure>
        <Figure label="Entry" right>
          {price(position.entry_price)}
        </Figure>
        <Figure label="Mark">
          <LiveFigure last={price(position.mark_price)}>{price(position.mark_price)}</LiveFigure>
        </Figure>
        <Figure label="Unrealized" right>
          {position.unrealized_pnl_usd == null ? (
            "—"
          ) : (
            <LiveFigure>
              <Money value={position.unrealized_pnl_usd} pnl />
            </LiveFigure>
          )}
        </Figure>
      </dl>
      {position.fee_pending && (
        <div className="mt-2">
          <Fees fees={position.display.fees_usd} pending label="Fees booked" />
        </div>
      )}
      {!opening && <PositionExits botId={botId} position={position} steps={steps} />}
      <FieldError id={`position-error-${position.id}`} message={error} />
    </li>
  );
}

function ClosedRow({
  p,
  price,
}: {
  p: PositionRow;
  price: (v: string | null | undefined) => string;
}) {
  // A stale Close (the position was closed elsewhere) answers on this row.
  const error = usePositionError(p.id);
  return (
    <li id={`position-${p.id}`} className="py-2.5" data-testid={`closed-position-${p.id}`}>
      <div className="flex items-center justify-between gap-3">
        <div className="min-w-0">
          <div className="flex items-center gap-2">
            <SideBadge side={p.side} />
            <SizeWithHint size={p.display.size_usd} requested={p.requested_size_usd} />
            {p.status === "cancelled" && <Badge>Cancelled</Badge>}
          </div>
          <div className="num mt-1 text-xs text-muted">
            #{p.id} · {price(p.entry_price)} → {price(p.exit_price)} ·{" "}
            <span className="whitespace-nowrap">{formatDateTime(p.closed_at)}</span>
          </div>
          {p.close_reason_text && (
            <div className="mt-0.5 text-xs text-muted">
              <CloseReasonText position={p} />
            </div>
          )}
        </div>
        <div className="shrink-0 text-right whitespace-nowrap">
          <Money value={p.display.net_realized_pnl_usd} pnl className="text-sm font-medium" />
          <Fees fees={p.display.fees_usd} pending={p.fee_pending} />
        </div>
      </div>
      <FieldError id={`position-error-${p.id}`} message={error} />
    </li>
  );
}

export function ClosedPositions({
  botId,
  closed,
  steps,
}: {
  botId: number;
  closed: Paginated<PositionRow>;
  steps: SymbolSteps;
}) {
  const price = (v: string | null | undefined) => formatPrice(v, steps.price_tick);
  if (closed.total === 0) {
    return <p className="text-sm text-muted">No closed positions yet.</p>;
  }
  return (
    <div>
      <ul className="divide-y divide-border" data-testid="closed-positions">
        {closed.items.map((p) => (
          <ClosedRow key={p.id} p={p} price={price} />
        ))}
      </ul>
      {closed.pages > 1 && (
        <nav
          aria-label="Closed positions pages"
          className="mt-3 flex items-center justify-between text-sm"
        >
          {closed.page > 1 ? (
            <Link
              preserveScroll
              href={`/bots/${botId}?page=${closed.page - 1}`}
              className="inline-flex min-h-11 items-center rounded-lg px-3 text-fg hover:bg-surface-2"
            >
              ‹ Newer
            </Link>
          ) : (
            <span />
          )}
          <span className="num text-muted">
            Page {closed.page} of {closed.pages}
          </span>
          {closed.page < closed.pages ? (
            <Link
              preserveScroll
              href={`/bots/${botId}?page=${closed.page + 1}`}
              className="inline-flex min-h-11 items-center rounded-lg px-3 text-fg hover:bg-surface-2"
            >
              Older ›
            </Link>
          ) : (
            <span />
          )}
        </nav>
      )}
    </div>
  );
}
