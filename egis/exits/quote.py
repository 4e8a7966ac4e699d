"""What the exits asked on the open form mean at the current price (the quote endpoint's part):
the trigger prices, computed by the same code that sets them, with the reference price standing
in for the entry. Sends and writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.figures import price_text
from egis.core.inputs import InputError
from egis.core.money import plain
from egis.exits.presenters import distance_pct, exit_label
from egis.exits.rules import parse_changes
from egis.exits.services import plan_exits


def exits_quote(
    *, side: str, price: Decimal, tick: Decimal, take_profit: object, stop_loss: object
) -> dict[str, Any]:
    """`{"exits": [{kind, label, trigger_price, distance_pct, summary}], "exits_error": {...}}`;
    a refused exit is reported in `exits_error` (field and message), not as a failed quote."""
    try:
        changes = parse_changes(take_profit=take_profit, stop_loss=stop_loss)
        planned = plan_exits(changes, side=side, entry=price, current=price, tick=tick)
    except InputError as exc:
        return {"exits": [], "exits_error": {"field": exc.field, "message": exc.message}}
    rows = []
    for plan in planned:
        assert plan.trigger_price is not None
        distance = distance_pct(plan.trigger_price, price)
        # Signed and grouped like the price before it: "(+16,809.43 %)", not "(+16809.43 %)".
        away = f" ({Decimal(distance):+,} %)" if distance is not None else ""
        rows.append(
            {
                "kind": plan.kind,
                "label": exit_label(plan.kind),
                "trigger_price": plain(plan.trigger_price),
                "distance_pct": distance,
                # The price at the tick with "$", as every server-made string of the bot page.
                "summary": f"{exit_label(plan.kind)} at "
                f"{price_text(plan.trigger_price, tick=tick)}{away}",
            }
        )
    return {"exits": rows, "exits_error": None}
