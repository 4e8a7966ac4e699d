"""apply-venue-fill and void-order: the actions on an incident's order, decided on what the venue
reports for it (asked before any transaction opens) or, when it is out of reach, on the report
stored with the incident."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egis.core.money import plain
from egis.execution.incident_base import IncidentError
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Incident, Order, OrderStatus
from egis.ledger.settle import SettleError, release_order, settle_order
from egis.venues.base import OrderNotFound, OrderReport, VenueAdapter, VenueError, VenueOrderStatus
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for


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
class VenueLookup:
    """What the venue said about the incident's order, asked before any transaction opens."""

    report: OrderReport | None = None
    not_found: bool = False
    error: str = ""


def venue_lookup(incident: Incident, venue: VenueAdapter | None) -> VenueLookup:
    order = incident.order
    if order is None or order.status not in IN_FLIGHT_ORDER_STATUSES:
        return VenueLookup()
    try:
        adapter = venue or venue_for(order.bot)
        report = adapter.lookup_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound:
        return VenueLookup(not_found=True)
    except (VenueError, PriceUnavailable) as exc:
        return VenueLookup(error=str(exc))
    return VenueLookup(report=report)


def _require_order(incident: Incident) -> Order:
    if incident.order_id is None:
        raise IncidentError(f"incident #{incident.pk} names no order row: use close-position")
    return Order.objects.select_related("bot").get(pk=incident.order_id)


def apply_venue_fill(incident: Incident, *, actor: Any, lookup: VenueLookup) -> str:
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


def void_order(incident: Incident, *, actor: Any, reason: str, lookup: VenueLookup) -> str:
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
    return f"order {order.client_order_id} voided, the budget reserved for it is free again"
