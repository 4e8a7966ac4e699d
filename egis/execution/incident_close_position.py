"""close-position: close a position in the ledger at a stated price, without a venue order (the
venue has nothing to close: a refused reduce-only close, drift)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.inputs import QTY_PLACES
from egis.core.money import DecimalInputError, parse_decimal, plain
from egis.execution.incident_base import IncidentError
from egis.exits.hooks import exits_on_ledger_close
from egis.ledger.domain import Fill, apply_close_fill
from egis.ledger.events import event_record, position_snapshot
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Incident, Order, Position, PositionStatus
from egis.ledger.notices import daily_loss_told, daily_loss_watch
from egis.ledger.settle import position_state, store_position_state
from egis.notifications.services import notices_write
from egis.portfolio.totals import totals_apply, totals_track
from egis.reconcile.drift import incident_bot_ids


def _target_position(incident: Incident, position_id: int | None) -> Position:
    bot_ids = incident_bot_ids(incident)
    if incident.order is not None:
        bot_ids.add(incident.order.bot_id)
    candidate: int | None = position_id
    if candidate is None and incident.order is not None:
        candidate = incident.order.position_id
    if candidate is None and str((incident.payload or {}).get("position_id", "")).isdigit():
        candidate = int(incident.payload["position_id"])
    if candidate is None:
        symbol = (incident.payload or {}).get("symbol")
        opened = list(
            Position.objects.filter(
                bot_id__in=bot_ids, symbol=symbol, status=PositionStatus.OPEN, qty__gt=0
            ).values_list("pk", flat=True)
        )
        if len(opened) != 1:
            raise IncidentError(
                f"{len(opened)} open positions match incident #{incident.pk}: name one "
                "with --position"
            )
        candidate = opened[0]
    position = Position.objects.select_for_update().filter(pk=candidate).first()
    if position is None or (bot_ids and position.bot_id not in bot_ids):
        raise IncidentError(f"position #{candidate} is not one of incident #{incident.pk}'s bots")
    return position


def close_position(
    incident: Incident,
    *,
    actor: Any,
    reason: str,
    price: object,
    position_id: int | None,
) -> tuple[str, Position]:
    if price is None or price == "":
        raise IncidentError("close-position needs a price to close at (--price)")
    try:
        exit_price = parse_decimal(price, field="price", max_places=QTY_PLACES)
    except DecimalInputError as exc:
        raise IncidentError(str(exc)) from exc
    position = _target_position(incident, position_id)
    if position.status != PositionStatus.OPEN:
        raise IncidentError(f"position #{position.pk} is {position.status}, not open")
    if position.qty == 0:
        raise IncidentError(
            f"position #{position.pk} is still opening (nothing filled yet): apply the venue's "
            "fill or void the order instead"
        )
    if position.closing_order_id is not None:
        closing = Order.objects.get(pk=position.closing_order_id)
        if closing.status in IN_FLIGHT_ORDER_STATUSES:
            raise IncidentError(
                f"position #{position.pk} has close {closing.client_order_id} in flight: apply "
                "its fill or void it first"
            )
    watched = daily_loss_watch(position.bot_id)
    before = position_snapshot(position)
    qty = position.qty
    fill = Fill(
        executed_qty=qty, cum_quote_usd=qty * exit_price, avg_price=exit_price, fee_usd=Decimal(0)
    )
    exits_on_ledger_close(position)  # reason `reconcile`; its paper exits end with it
    tracked = totals_track(position)  # per-bot closed totals (egis.portfolio.totals)
    store_position_state(
        position, apply_close_fill(position_state(position), fill, side=position.side)
    )
    position.closing_order = None
    position.save()
    totals_apply(tracked, position)
    event_record(
        position=position,
        order=None,
        bot_id=position.bot_id,
        action="closed_by_reconciliation",
        before=before,
        after=position_snapshot(position),
        actor=actor,
        reason=f"incident #{incident.pk}: closed {plain(qty)} {position.symbol} at "
        f"{plain(exit_price)} without a venue order: {reason}"[:2000],
    )
    notices_write(daily_loss_told(position.bot_id, watched, position.pk))
    return (
        f"position #{position.pk} closed in the ledger: {plain(qty)} at {plain(exit_price)}",
        position,
    )
