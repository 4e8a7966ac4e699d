"""Pure ledger arithmetic: what a fill does to a position. No Django, no I/O.

Every quantity here is executed, never requested: an open books `executed_qty x avg price`
(the venue's exact cumulative quote), a close reduces the position by what actually closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from egis.core.inputs import QUANTUM


def q8(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class PositionState:
    status: str
    size_usd: Decimal
    qty: Decimal
    entry_price: Decimal | None
    exit_price: Decimal | None
    fees_usd: Decimal
    realized_pnl_usd: Decimal


@dataclass(frozen=True)
class Fill:
    executed_qty: Decimal
    cum_quote_usd: Decimal
    avg_price: Decimal | None
    fee_usd: Decimal


def fill_from_venue(
    executed_qty: Decimal, cum_quote_usd: Decimal, avg_price: Decimal | None, fee_usd: Decimal
) -> tuple[Fill, list[str]]:
    """Normalise a venue's figures to ledger precision, listing every rounding step."""
    steps: list[str] = []
    if executed_qty > 0 and cum_quote_usd == 0:
        # An answer without its cumulative quote: the notional is qty x average price, never 0.
        if avg_price is None or avg_price <= 0:
            raise ValueError(f"an execution of {executed_qty} came with neither quote nor price")
        cum_quote_usd = executed_qty * avg_price
        steps.append(f"no cum quote from the venue: {executed_qty} x {avg_price} = {cum_quote_usd}")
    quote = q8(cum_quote_usd)
    if quote != cum_quote_usd:
        steps.append(f"cum quote {cum_quote_usd} rounded half-even to {quote}")
    price = avg_price
    if executed_qty > 0 and (price is None or price == 0):
        price = cum_quote_usd / executed_qty
    if price is not None:
        rounded = q8(price)
        if rounded != price:
            steps.append(f"average price {price} rounded half-even to {rounded}")
        price = rounded
    fee = q8(fee_usd)
    if fee != fee_usd:
        steps.append(f"fee {fee_usd} rounded half-even to {fee}")
    return Fill(executed_qty, quote, price if executed_qty > 0 else None, fee), steps


def apply_open_fill(state: PositionState, fill: Fill) -> PositionState:
    """The hold becomes the executed size; nothing filled means the position never existed."""
    if fill.executed_qty == 0:
        return PositionState(
            status="cancelled",
            size_usd=Decimal(0),
            qty=Decimal(0),
            entry_price=None,
            exit_price=None,
            fees_usd=state.fees_usd + fill.fee_usd,
            realized_pnl_usd=state.realized_pnl_usd,
        )
    return PositionState(
        status="open",
        size_usd=fill.cum_quote_usd,
        qty=fill.executed_qty,
        entry_price=fill.avg_price,
        exit_price=None,
        fees_usd=state.fees_usd + fill.fee_usd,
        realized_pnl_usd=state.realized_pnl_usd,
    )


def price_pnl(side: str, entry: Decimal, exit_price: Decimal, qty: Decimal) -> Decimal:
    move = exit_price - entry if side == "long" else entry - exit_price
    return q8(move * qty)


def apply_close_fill(state: PositionState, fill: Fill, *, side: str) -> PositionState:
    """A close books what closed: a partial close shrinks qty and size pro rata, stays open."""
    if fill.executed_qty == 0:
        return state
    if fill.executed_qty > state.qty:
        raise ValueError(
            f"close filled {fill.executed_qty} but the position holds only {state.qty}"
        )
    assert state.entry_price is not None and fill.avg_price is not None
    remaining = state.qty - fill.executed_qty
    pnl = state.realized_pnl_usd + price_pnl(
        side, state.entry_price, fill.avg_price, fill.executed_qty
    )
    fees = state.fees_usd + fill.fee_usd
    if remaining == 0:
        return PositionState(
            status="closed",
            size_usd=state.size_usd,  # history keeps the size that was held
            qty=Decimal(0),
            entry_price=state.entry_price,
            exit_price=fill.avg_price,
            fees_usd=fees,
            realized_pnl_usd=pnl,
        )
    return PositionState(
        status="open",
        size_usd=q8(state.size_usd * remaining / state.qty),
        qty=remaining,
        entry_price=state.entry_price,
        exit_price=fill.avg_price,
        fees_usd=fees,
        realized_pnl_usd=pnl,
    )


def unrealized_pnl(side: str, entry: Decimal | None, mark: Decimal | None, qty: Decimal) -> Decimal:
    if entry is None or mark is None or qty == 0:
        return Decimal(0)
    return price_pnl(side, entry, mark, qty)
