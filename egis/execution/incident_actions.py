"""Incidents as a workflow: list, show, resolve with an explicit, audited action.

Actions (`incident_resolve`):
  apply-venue-fill  book what the venue reports for the incident's order (looked up again by
                    client order id; the report stored with the incident if the venue is out of
                    reach), through the normal settle code
  void-order        the order is void: mark it failed and release its hold (refused while the
                    venue reports a fill for it)
  close-position    close the position in the ledger at a stated price, without a venue order
                    (the venue has nothing to close: a refused reduce-only close, drift)
  acknowledge       a drift incident whose difference is gone (e.g. the paper book was rebuilt);
                    refused while the drift is still there

Every resolution is one transaction: the incident moves open -> resolved by compare-and-set (two
people resolving at once: one wins, the other is told), and a `position_events` row records the
action, actor and reason. Nothing is deleted. Resolving the last drift incident of a bot lifts
its drift halt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from egis.bots.locks import lock_bots
from egis.core.errors import UserFacingError
from egis.core.inputs import QTY_PLACES
from egis.core.money import DecimalInputError, parse_decimal, plain
from egis.exits.binance_drift import OK as EXIT_DRIFT_OK
from egis.exits.binance_drift import account_exit_items
from egis.exits.hooks import exits_on_ledger_close
from egis.ledger.domain import Fill, apply_close_fill
from egis.ledger.events import event_record, position_snapshot
from egis.ledger.models import (
    EXIT_INCIDENT_KINDS,
    IN_FLIGHT_ORDER_STATUSES,
    Incident,
    IncidentKind,
    IncidentStatus,
    Order,
    OrderStatus,
    Position,
    PositionStatus,
)
from egis.ledger.selectors import incident_find
from egis.ledger.settle import (
    SettleError,
    position_state,
    release_order,
    settle_order,
    store_position_state,
)
from egis.portfolio.totals import totals_apply, totals_track
from egis.reconcile.drift import (
    DRIFT,
    NO_MIRROR,
    drift_halts_release,
    drift_recheck,
    incident_bot_ids,
)
from egis.venues.base import (
    OrderNotFound,
    OrderReport,
    VenueAdapter,
    VenueError,
    VenueOrderStatus,
)
from egis.venues.models import ExchangeAccount
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for

APPLY_VENUE_FILL = "apply-venue-fill"
VOID_ORDER = "void-order"
CLOSE_POSITION = "close-position"
ACKNOWLEDGE = "acknowledge"
ACTIONS = (APPLY_VENUE_FILL, VOID_ORDER, CLOSE_POSITION, ACKNOWLEDGE)


class IncidentError(UserFacingError):
    code = "incident_refused"
    http_status = 409


class IncidentNotFound(IncidentError):
    code = "incident_not_found"
    http_status = 404


@dataclass(frozen=True)
class Resolution:
    incident: Incident
    action: str
    detail: str
    halts_lifted: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "incident": incident_json(self.incident),
            "action": self.action,
            "detail": self.detail,
            "halts_lifted": self.halts_lifted,
        }


def incident_json(r: Incident, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": r.pk,
        "kind": r.kind,
        "status": r.status,
        "bot_id": r.bot_id,
        "order_id": r.order_id,
        "client_order_id": r.client_order_id,
        "venue_order_id": r.venue_order_id,
        "intent": r.intent,
        "error": r.error,
        "resolution": r.resolution,
        "resolution_reason": r.resolution_reason,
        "resolved_by": r.resolved_by.username if r.resolved_by else None,
        "created_at": r.created_at.isoformat() if r.created_at else None,
        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
    }
    if full:
        data["payload"] = r.payload
        data["actions"] = available_actions(r) if r.status == IncidentStatus.OPEN else []
    return data


def available_actions(r: Incident) -> list[str]:
    if r.kind == IncidentKind.DRIFT:
        return [CLOSE_POSITION, ACKNOWLEDGE]
    if r.kind == IncidentKind.SIGNAL_DRIFT:
        # The ledger is right; the sender missed an alert. An admin acknowledges once the sender
        # is back in step (close positions through the normal pipeline first if needed).
        return [ACKNOWLEDGE]
    if r.kind in EXIT_INCIDENT_KINDS:
        # Binance exits (issue 12): the exit's row already says what happened; a person
        # acknowledges once the position is protected again (or closed).
        return [ACKNOWLEDGE]
    if r.order_id is None:
        return [CLOSE_POSITION]
    return [APPLY_VENUE_FILL, VOID_ORDER, CLOSE_POSITION]


def incident_get(incident_id: int) -> Incident:
    found = incident_find(incident_id)
    if found is None:
        raise IncidentNotFound(f"incident #{incident_id} does not exist")
    return found


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def incident_close(
    incident: Incident,
    *,
    resolution: str,
    reason: str,
    actor: Any,
    position: Position | None = None,
) -> bool:
    """Mark an incident resolved (compare-and-set) and audit it; False if it was not open."""
    with transaction.atomic():
        user = _actor_user(actor)
        if user is None and actor is not None:
            reason = f"{reason} [by {getattr(actor, 'username', 'system')}]"
        updated = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.OPEN).update(
            status=IncidentStatus.RESOLVED,
            resolution=resolution[:32],
            resolution_reason=reason,
            resolved_by=user,
            resolved_at=timezone.now(),
        )
        if not updated:
            return False
        bot_id = incident.bot_id or (incident.order.bot_id if incident.order else None)
        if bot_id is not None:
            if position is None and incident.order is not None:
                position = Position.objects.filter(pk=incident.order.position_id).first()
            event_record(
                position=position,
                order=incident.order,
                bot_id=bot_id,
                action="reconciliation_resolved",
                after={"incident_id": incident.pk, "kind": incident.kind},
                actor=actor,
                reason=f"#{incident.pk} {resolution}: {reason}"[:2000],
            )
        incident.refresh_from_db()
        return True


def _normalise_action(action: str) -> str:
    chosen = (action or "").strip().lower().replace("_", "-")
    if chosen not in ACTIONS:
        raise IncidentError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    return chosen


def _stored_report(incident: Incident, order: Order) -> OrderReport | None:
    report = (incident.payload or {}).get("report")
    if not isinstance(report, dict):
        return None
    try:
        status = VenueOrderStatus(str(report.get("status", "")).split(".")[-1])
    except ValueError:
        status = VenueOrderStatus.FILLED
    avg = report.get("avg_price")
    return OrderReport(
        client_order_id=order.client_order_id,
        venue_order_id=str(report.get("venue_order_id") or ""),
        status=status,
        executed_qty=Decimal(str(report.get("executed_qty", "0"))),
        cum_quote_usd=Decimal(str(report.get("cum_quote_usd", "0"))),
        avg_price=Decimal(str(avg)) if avg not in (None, "") else None,
        fee_usd=Decimal(str(report.get("fee_usd", "0"))),
        raw=dict(report.get("raw") or {}),
        fee_pending=report.get("fee_pending") is True,
    )


@dataclass(frozen=True)
class _Lookup:
    """What the venue said about the incident's order, asked before any transaction opens."""

    report: OrderReport | None = None
    not_found: bool = False
    error: str = ""


def _lookup(incident: Incident, venue: VenueAdapter | None) -> _Lookup:
    order = incident.order
    if order is None or order.status not in IN_FLIGHT_ORDER_STATUSES:
        return _Lookup()
    try:
        adapter = venue or venue_for(order.bot)
        report = adapter.lookup_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        return _Lookup(not_found=True)
    except (VenueError, PriceUnavailable) as exc:
        return _Lookup(error=str(exc))
    return _Lookup(report=report)


def _require_order(incident: Incident) -> Order:
    if incident.order_id is None:
        raise IncidentError(f"incident #{incident.pk} names no order row: use close-position")
    return Order.objects.select_related("bot").get(pk=incident.order_id)


def _apply_venue_fill(incident: Incident, *, actor: Any, lookup: _Lookup) -> str:
    order = _require_order(incident)
    if order.status not in IN_FLIGHT_ORDER_STATUSES:
        return f"order {order.client_order_id} was already booked as {order.status}"
    if lookup.not_found:
        raise IncidentError(
            f"the venue has no order {order.client_order_id}: void it instead (void-order)"
        )
    report = lookup.report
    source = "the venue's lookup"
    if report is None:
        report = _stored_report(incident, order)
        source = f"the report stored with the incident (venue unreachable: {lookup.error})"
        if report is None:
            raise IncidentError(
                f"the venue cannot be reached ({lookup.error}) and the incident holds no venue "
                "report: try again later"
            )
    if not report.is_final:
        raise IncidentError(
            f"order {order.client_order_id} is still {report.status} at the venue: try later"
        )
    try:
        result = settle_order(order.pk, report, actor=actor, via=f"incident #{incident.pk}")
    except (SettleError, ValueError) as exc:
        # Nothing was booked (the transaction rolls back); the incident stays open.
        raise IncidentError(
            f"{source} for {order.client_order_id} cannot be booked: {exc}"
        ) from exc
    return (
        f"booked {order.client_order_id} from {source}: {result.order.status}, executed "
        f"{plain(result.order.executed_qty)}"
    )


def _void_order(incident: Incident, *, actor: Any, reason: str, lookup: _Lookup) -> str:
    order = _require_order(incident)
    if order.status in (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED):
        raise IncidentError(
            f"order {order.client_order_id} is booked as {order.status}: nothing to void "
            "(close-position closes what it opened)"
        )
    if order.status not in IN_FLIGHT_ORDER_STATUSES:
        return f"order {order.client_order_id} was already {order.status}"
    # An unreachable venue leaves the decision to the operator; the reason says why.
    if lookup.report is not None and lookup.report.executed_qty > 0:
        raise IncidentError(
            f"the venue reports {plain(lookup.report.executed_qty)} executed for "
            f"{order.client_order_id}: apply its fill instead (apply-venue-fill)"
        )
    if lookup.report is not None and not lookup.report.is_final:
        # The venue still has the order and it may yet fill: releasing the hold now would lose it.
        raise IncidentError(
            f"order {order.client_order_id} is still {lookup.report.status} at the venue and may "
            "yet fill: wait until it is final (recovery settles it), then decide"
        )
    release_order(
        order.pk,
        status=OrderStatus.FAILED,
        error=f"voided (incident #{incident.pk}): {reason}",
        actor=actor,
        via=f"incident #{incident.pk}",
    )
    return f"order {order.client_order_id} voided, its hold released"


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


def _close_position(
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
    return (
        f"position #{position.pk} closed in the ledger: {plain(qty)} at {plain(exit_price)}",
        position,
    )


def _acknowledge(incident: Incident) -> str:
    if incident.kind == IncidentKind.SIGNAL_DRIFT:
        return "signal drift acknowledged: the sender is back in step with the ledger"
    if incident.kind in EXIT_INCIDENT_KINDS:
        return f"{incident.get_kind_display().lower()} acknowledged"
    if incident.kind != IncidentKind.DRIFT:
        raise IncidentError("acknowledge is for drift incidents only")
    if (incident.payload or {}).get("check") == "exits":
        return _acknowledge_exit_drift(incident)
    item = drift_recheck(incident)
    if item is not None and item.status == DRIFT:
        raise IncidentError(
            f"the drift is still there ({item.describe()}): repair it first. {item.hint}"
        )
    if item is not None and item.status == NO_MIRROR:
        # Gone is not proven: acknowledging now would lift the halt on an unchecked scope.
        raise IncidentError(
            f"cannot re-check the drift: {item.hint}. Try again when the exchange answers."
        )
    where = item.describe() if item is not None else "scope no longer exists"
    return f"drift gone on re-check: {where}"


def _acknowledge_exit_drift(incident: Incident) -> str:
    """An exit drift (egis.exits.binance_drift) is acknowledged only once Binance's open algo
    orders agree with the ledger's resting exits again."""
    payload = incident.payload or {}
    account = ExchangeAccount.objects.filter(pk=int(payload.get("account_id") or 0)).first()
    items = account_exit_items(account) if account is not None else []
    item = next((i for i in items if i.symbol == payload.get("symbol")), None)
    if item is not None and item.status != EXIT_DRIFT_OK:
        raise IncidentError(
            f"the exit drift is still there or cannot be re-checked ({item.describe()}"
            + (f": {item.error}" if item.error else "")
            + "): cancel the unknown algo orders at Binance or set the exits again first"
        )
    where = item.describe() if item is not None else "scope no longer exists"
    return f"exit drift gone on re-check: {where}"


def incident_resolve(
    *,
    incident_id: int,
    action: str,
    reason: str,
    actor: Any = None,
    price: object = None,
    position_id: int | None = None,
    venue: VenueAdapter | None = None,
) -> Resolution:
    """Resolve one open incident with an explicit action; audited, all or nothing."""
    chosen = _normalise_action(action)
    reason = (reason or "").strip()
    if not reason:
        raise IncidentError("a reason is required (--reason TEXT)")
    incident = incident_get(incident_id)
    if incident.status != IncidentStatus.OPEN:
        raise IncidentError(
            f"incident #{incident.pk} is already {incident.status} ({incident.resolution})"
        )
    if chosen not in available_actions(incident):
        raise IncidentError(
            f"{chosen} does not apply to a {incident.kind} incident: use one of "
            f"{', '.join(available_actions(incident))}"
        )
    position: Position | None = None
    # Ask the venue before the transaction: no lock is ever held across a network call.
    lookup = _lookup(incident, venue) if chosen in (APPLY_VENUE_FILL, VOID_ORDER) else _Lookup()
    with transaction.atomic():
        # The incident's bots first, then its order and position: the order of egis.bots.locks.
        order_bot = [incident.order.bot_id] if incident.order is not None else []
        lock_bots([*incident_bot_ids(incident), *order_bot])
        if chosen == APPLY_VENUE_FILL:
            detail = _apply_venue_fill(incident, actor=actor, lookup=lookup)
        elif chosen == VOID_ORDER:
            detail = _void_order(incident, actor=actor, reason=reason, lookup=lookup)
        elif chosen == CLOSE_POSITION:
            detail, position = _close_position(
                incident, actor=actor, reason=reason, price=price, position_id=position_id
            )
        else:
            detail = _acknowledge(incident)
        if not incident_close(
            incident,
            resolution=chosen,
            reason=f"{reason} ({detail})",
            actor=actor,
            position=position,
        ):
            raise IncidentError(f"incident #{incident.pk} was resolved meanwhile")
        lifted: list[int] = []
        if incident.kind in (IncidentKind.DRIFT, IncidentKind.SIGNAL_DRIFT):
            lifted = drift_halts_release(sorted(incident_bot_ids(incident)))
    return Resolution(incident_get(incident.pk), chosen, detail, lifted)
