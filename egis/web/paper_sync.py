"""The sheet's view of the paper reconciliation (egis.reconcile.paper): dry run, then confirm.

The reconciliation service owns the diff; this module only words its typed result for the
sheet ("long 0.003 ETH at $2,934.56": the base asset at the lot step, the price at the tick).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.figures import price_text, qty_text
from egis.reconcile.diff import BookRow, PaperChange
from egis.reconcile.paper import PaperReconcileResult, paper_reconcile
from egis.venues.selectors import symbol_filters

# symbol -> (lot step, price tick) on paper
Rules = dict[str, tuple[Decimal | None, Decimal | None]]


def _book_text(row: BookRow | None, symbol: str, rules: Rules) -> str | None:
    if row is None:
        return None
    if row.status != "open":
        return "flat"
    step, tick = rules.get(symbol, (None, None))
    qty = qty_text(row.qty, symbol=symbol, step=step)
    return f"{row.side} {qty} at {price_text(row.entry_price, tick=tick) or 'an unknown price'}"


def _change_json(change: PaperChange, rules: Rules) -> dict[str, str | None]:
    return {
        "action": change.action,
        "symbol": change.symbol,
        "before": _book_text(change.before, change.symbol, rules),
        "after": _book_text(change.after, change.symbol, rules),
    }


def sync_json(result: PaperReconcileResult) -> dict[str, Any]:
    rules: Rules = (
        {f.symbol: (f.step_size, f.tick_size) for f in symbol_filters("paper")}
        if result.changes
        else {}
    )
    changes = [_change_json(c, rules) for c in result.changes]
    counts = result.counts
    applied = result.confirmed
    if not changes:
        message = "Paper state matches the fills. Nothing to do."
    elif applied:
        done = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or f"{len(changes)} changes"
        message = f"Applied: {done}."
    else:
        message = f"{len(changes)} change{'s' if len(changes) != 1 else ''} would be applied."
    return {"applied": applied, "changes": changes, "counts": counts, "message": message}


def run_paper_sync(*, bot_id: int, confirm: bool) -> dict[str, Any]:
    return sync_json(paper_reconcile(bot_id=bot_id, confirm=confirm))
