"""The sheet's view of the paper reconciliation (egis.reconcile.paper): dry run, then confirm.

The reconciliation service owns the diff; this module only words its typed result for the
sheet (decimal strings, "long 0.003 @ 2934.56").
"""

from __future__ import annotations

from typing import Any

from egis.core.money import plain
from egis.reconcile.diff import BookRow, PaperChange
from egis.reconcile.paper import PaperReconcileResult, paper_reconcile


def _book_text(row: BookRow | None) -> str | None:
    if row is None:
        return None
    if row.status != "open":
        return "flat"
    return f"{row.side} {plain(row.qty)} @ {plain(row.entry_price)}"


def _change_json(change: PaperChange) -> dict[str, str | None]:
    return {
        "action": change.action,
        "symbol": change.symbol,
        "before": _book_text(change.before),
        "after": _book_text(change.after),
    }


def sync_json(result: PaperReconcileResult) -> dict[str, Any]:
    changes = [_change_json(c) for c in result.changes]
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
