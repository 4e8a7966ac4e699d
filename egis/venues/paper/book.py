"""The paper venue's book as a pure fold over its fills (one-way mode: one net position).

Used when a fill is booked and when reconciliation rebuilds `paper_positions` from `paper_fills`,
so both always agree on what a sequence of fills means.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from egis.core.inputs import QUANTUM


@dataclass(frozen=True)
class BookState:
    net_qty: Decimal = Decimal(0)  # > 0 long, < 0 short
    entry_price: Decimal = Decimal(0)

    @property
    def side(self) -> str:
        return "short" if self.net_qty < 0 else "long"

    @property
    def qty(self) -> Decimal:
        return abs(self.net_qty)

    @property
    def is_open(self) -> bool:
        return self.net_qty != 0


def apply_fill(state: BookState, *, side: str, qty: Decimal, price: Decimal) -> BookState:
    if qty == 0:
        return state
    signed = qty if side == "buy" else -qty
    net = state.net_qty
    new_net = net + signed
    if new_net == 0:
        return BookState()
    if net == 0 or (net > 0) == (signed > 0):
        # Adding to the position (or opening it): the entry is the weighted average.
        entry = (abs(net) * state.entry_price + qty * price) / abs(new_net)
        return BookState(new_net, entry.quantize(QUANTUM, rounding=ROUND_HALF_EVEN))
    if (net > 0) == (new_net > 0):
        return BookState(new_net, state.entry_price)  # reduced, same side: entry unchanged
    return BookState(new_net, price)  # flipped through zero: the remainder opened at this price


def fold_fills(fills: list[tuple[str, Decimal, Decimal]]) -> BookState:
    state = BookState()
    for side, qty, price in fills:
        state = apply_fill(state, side=side, qty=qty, price=price)
    return state
