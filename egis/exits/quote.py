"""What the exits asked on the open form mean at the current price (the quote endpoint's part):
the trigger prices, computed by the same code that sets them, with the reference price standing
in for the entry. Sends and writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.figures import pct_text, price_text
from egis.core.inputs import InputError
from egis.core.money import plain
from egis.exits.presenters import distance_pct, exit_label
from egis.exits.rules import parse_changes
from egis.exits.services import PlannedExit, plan_exits


def exits_quote(
    *, side: str, price: Decimal, tick: Decimal, take_profit: object, stop_loss: object
) -> dict[str, Any]:
    """`{"exits": [{kind, label, trigger_price, distance_pct, summary}], "exits_errors": [...],
    "exits_error": {...}}`: each exit is quoted on its own (a refused stop-loss never hides the
    take-profit's trigger price), a refused one reported in `exits_errors` (field and message;
    `exits_error` is the first of them), not as a failed quote."""
    rows: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for kind, given in (("take_profit", take_profit), ("stop_loss", stop_loss)):
        try:
            changes = parse_changes(**{kind: given})
            planned = plan_exits(changes, side=side, entry=price, current=price, tick=tick)
        except InputError as exc:
            errors.append({"field": exc.field, "message": exc.message})
            continue
        rows.extend(_row(plan, price=price, tick=tick) for plan in planned)
    return {
        "exits": rows,
        "exits_error": errors[0] if errors else None,
        **({"exits_errors": errors} if errors else {}),
    }


def _row(plan: PlannedExit, *, price: Decimal, tick: Decimal) -> dict[str, Any]:
    assert plan.trigger_price is not None
    distance = distance_pct(plan.trigger_price, price)
    # Signed and grouped like the price before it: "(+16,809.43%)", not "(+16809.43 %)".
    away = f" ({pct_text(distance, signed=True)})" if distance is not None else ""
    return {
        "kind": plan.kind,
        "label": exit_label(plan.kind),
        "trigger_price": plain(plan.trigger_price),
        "distance_pct": distance,
        # The price at the tick with "$", as every server-made string of the bot page.
        "summary": f"{exit_label(plan.kind)} at {price_text(plan.trigger_price, tick=tick)}{away}",
    }
