"""The page's view of the paper reconciliation (egis.reconcile): dry run, then confirm.

The reconciliation service owns the diff; this module only turns its result into decimal
strings and words for the sheet, whatever small shape differences the result has.
"""

from __future__ import annotations

import dataclasses
import importlib
from decimal import Decimal
from typing import Any

from egis.core.money import plain


class PaperSyncUnavailable(Exception):
    pass


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict) and "status" in value and "qty" in value:
        # A paper book row: "long 0.003 @ 2934.56", or "flat" once closed.
        if value["status"] != "open":
            return "flat"
        return f"{value.get('side', '')} {value['qty']} @ {value.get('entry_price', '?')}".strip()
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items()) or None
    return str(value)


def _as_dict(item: object) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if hasattr(item, "as_json"):
        return dict(item.as_json())
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    return dict(vars(item))


def _change_json(item: object) -> dict[str, str | None]:
    data = _as_dict(item)
    return {
        "action": str(data.get("action") or data.get("kind") or data.get("op") or "update"),
        "symbol": str(data.get("symbol") or ""),
        "field": _text(data.get("field")),
        "before": _text(data.get("before")),
        "after": _text(data.get("after")),
        "detail": _text(data.get("detail") or data.get("reason")),
    }


def sync_json(result: object, *, confirm: bool) -> dict[str, Any]:
    data = _as_dict(result)
    changes = [_change_json(c) for c in (data.get("changes") or [])]
    counts = {str(k): int(v) for k, v in (data.get("counts") or {}).items()}
    applied = bool(data.get("applied", confirm)) and confirm
    if not changes:
        message = "Paper state matches the fills. Nothing to do."
    elif applied:
        done = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or f"{len(changes)} changes"
        message = f"Applied: {done}."
    else:
        message = f"{len(changes)} change{'s' if len(changes) != 1 else ''} would be applied."
    return {"applied": applied, "changes": changes, "counts": counts, "message": message}


def _service() -> Any:
    # The reconciliation lives in egis.reconcile (another part of the project); look it up
    # where it is exported so the page works as soon as it lands.
    for name in ("egis.reconcile", "egis.reconcile.paper", "egis.reconcile.services"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        service = getattr(module, "paper_reconcile", None)
        if service is not None:
            return service
    raise PaperSyncUnavailable


def run_paper_sync(*, bot_id: int, confirm: bool) -> dict[str, Any]:
    return sync_json(_service()(bot_id=bot_id, confirm=confirm), confirm=confirm)
