"""Pure diffs between what a venue executed and its mirror table. No Django, no I/O.

`paper_book_diff` says what one `paper_positions` row must become so it equals the fold of the
bot's `paper_fills` for that symbol (egis.venues.paper.book.fold_fills, the very fold the paper
venue applies when it fills). It never looks at the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egis.core.money import plain
from egis.venues.paper.book import BookState

CREATE = "create"
CLOSE = "close"
UPDATE = "update"
ACTIONS = (CREATE, CLOSE, UPDATE)


@dataclass(frozen=True)
class BookRow:
    """A `paper_positions` row as the diff sees it."""

    side: str
    qty: Decimal
    entry_price: Decimal
    status: str  # open | closed

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "side": self.side,
            "qty": plain(self.qty),
            "entry_price": plain(self.entry_price),
        }


@dataclass(frozen=True)
class PaperChange:
    action: str  # create | close | update
    bot_id: int
    symbol: str
    before: BookRow | None
    after: BookRow

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "bot_id": self.bot_id,
            "symbol": self.symbol,
            "before": self.before.as_json() if self.before else None,
            "after": self.after.as_json(),
        }

    def describe(self) -> str:
        def show(row: BookRow | None) -> str:
            if row is None:
                return "(no row)"
            if row.status != "open":
                return "closed"
            return f"{row.side} {plain(row.qty)} @ {plain(row.entry_price)}"

        return (
            f"{self.action} bot #{self.bot_id} {self.symbol}: "
            f"{show(self.before)} -> {show(self.after)}"
        )


def row_for(state: BookState, previous: BookRow | None) -> BookRow:
    """The row the paper venue would hold for `state` (a flat book keeps its last entry)."""
    if state.is_open:
        return BookRow(state.side, state.qty, state.entry_price, "open")
    entry = previous.entry_price if previous is not None else Decimal(0)
    side = previous.side if previous is not None else "long"
    return BookRow(side, Decimal(0), entry, "closed")


def paper_book_diff(
    bot_id: int, symbol: str, truth: BookState, mirror: BookRow | None
) -> PaperChange | None:
    """What must change so `mirror` agrees with `truth` (the fold of the fills), or None."""
    if truth.is_open:
        wanted = row_for(truth, mirror)
        if mirror is None:
            return PaperChange(CREATE, bot_id, symbol, None, wanted)
        if mirror != wanted:
            return PaperChange(UPDATE, bot_id, symbol, mirror, wanted)
        return None
    if mirror is None:
        return None  # never traded, or flat with no row: nothing to mirror
    if mirror.status == "open":
        return PaperChange(CLOSE, bot_id, symbol, mirror, row_for(truth, mirror))
    if mirror.qty != 0 or mirror.status != "closed":
        return PaperChange(UPDATE, bot_id, symbol, mirror, row_for(truth, mirror))
    return None


def count_changes(changes: list[PaperChange]) -> dict[str, int]:
    counts = {action: 0 for action in ACTIONS}
    for change in changes:
        counts[change.action] += 1
    counts["total"] = len(changes)
    return counts
