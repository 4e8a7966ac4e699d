"""After the venue answered (rule 5): nothing escapes as a crash.

A fill is settled (egis.ledger.settle); a refusal releases the hold; an unknown outcome marks the
order unknown until a lookup by client order id settles it. If any of these writes fails, what
the venue said is kept in an incident, or in the fsync'd journal when the database itself cannot
be written, and the caller gets `OrderNotBooked` naming the order.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from egis.core.money import plain
from egis.ledger.errors import OrderNotBooked
from egis.ledger.incidents import incident_record
from egis.ledger.journal import journal_append
from egis.ledger.models import IncidentKind, Order, OrderIntent, OrderStatus
from egis.ledger.notices import not_booked_notice
from egis.ledger.settle import (
    OrderResult,
    mark_unknown,
    release_order,
    scrub_venue_response,
    settle_order,
)
from egis.venues.base import OrderReport, VenueError, VenueOutcomeUnknown, VenueRejected

logger = logging.getLogger("egis.pipeline")

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _told(step: Callable[_P, _R]) -> Callable[_P, _R]:
    """Every OrderNotBooked leaving a step is also told to the bot's owner (order not booked /
    outcome unknown); telling never raises, so the caller gets the same error either way."""

    @functools.wraps(step)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return step(*args, **kwargs)
        except OrderNotBooked as exc:
            order = args[0]
            if isinstance(order, Order):
                not_booked_notice(order, exc)
            raise

    return wrapper


@_told
def after_fill(order: Order, report: OrderReport, *, actor: Any) -> OrderResult:
    try:
        result = settle_order(order.pk, report, actor=actor, via="pipeline")
    except Exception as exc:
        raise _not_booked(
            order,
            kind=IncidentKind.DB_FAILED_AFTER_VENUE,
            error=f"{type(exc).__name__}: {exc}",
            report=report,
        ) from exc
    if (
        result.already_settled
        and result.order.status in (OrderStatus.FAILED, OrderStatus.REJECTED)
        and report.executed_qty > 0
    ):
        # Recovery or a person released this order (the venue said it did not exist) and now
        # the venue reports a fill: the ledger and the venue disagree. Never silent.
        raise _not_booked(
            order,
            kind=IncidentKind.DRIFT,
            error=f"the venue reports {plain(report.executed_qty)} executed for "
            f"{order.client_order_id}, which was already released as {result.order.status}",
            report=report,
        )
    if result.order.status == OrderStatus.UNKNOWN:
        raise OrderNotBooked(
            f"Order {order.client_order_id} is still working at the venue; it will be settled "
            "when the venue reports it final.",
            client_order_id=order.client_order_id,
            order_status=result.order.status,
            http_status=503,
            code="outcome_unknown",
        )
    return result


@_told
def after_refusal(order: Order, exc: VenueError, *, actor: Any) -> OrderResult:
    status = OrderStatus.REJECTED if isinstance(exc, VenueRejected) else OrderStatus.FAILED
    code = f" (code {exc.code})" if exc.code is not None else ""
    message = f"{exc.message}{code}"
    incident_id = None
    try:
        release_order(order.pk, status=status, error=message, actor=actor, via="venue refusal")
        if order.intent == OrderIntent.CLOSE and exc.code == -2022:
            # The venue has nothing to reduce while the ledger holds a position: that is drift.
            incident = incident_record(
                kind=IncidentKind.VENUE_REFUSED_CLOSE,
                bot_id=order.bot_id,
                order_id=order.pk,
                client_order_id=order.client_order_id,
                intent=order.intent,
                payload={"position_id": order.position_id, "venue_code": exc.code},
                error=message,
            )
            incident_id = incident.pk
    except Exception as db_exc:
        raise _not_booked(
            order,
            kind=IncidentKind.DB_FAILED_AFTER_VENUE,
            error=f"venue refused ({message}) and the release failed: {db_exc}",
            report=None,
        ) from db_exc
    raise OrderNotBooked(
        f"The venue refused order {order.client_order_id}: {message}",
        client_order_id=order.client_order_id,
        order_status=status,
        http_status=409 if status == OrderStatus.REJECTED else 502,
        code="venue_rejected" if status == OrderStatus.REJECTED else "venue_failed",
        incident_id=incident_id,
    )


@_told
def after_unknown(order: Order, exc: Exception) -> OrderResult:
    detail = exc.message if isinstance(exc, VenueOutcomeUnknown) else f"{type(exc).__name__}"
    if not isinstance(exc, VenueError):
        logger.exception("venue call for %s raised unexpectedly", order.client_order_id)
    incident_id = None
    try:
        mark_unknown(order.pk, error=f"outcome unknown: {detail}")
    except Exception as db_exc:
        incident_id, _ = _record_unbooked(
            order,
            kind=IncidentKind.UNKNOWN_ORDER,
            error=f"outcome unknown ({detail}) and the order row could not be updated: {db_exc}",
            report=None,
        )
    raise OrderNotBooked(
        f"Order {order.client_order_id}: the venue did not confirm it ({detail}). The budget "
        "reserved for it stays reserved until a lookup by client order id settles it.",
        client_order_id=order.client_order_id,
        order_status=OrderStatus.UNKNOWN,
        http_status=503,
        code="outcome_unknown",
        incident_id=incident_id,
    )


def _record_unbooked(
    order: Order,
    *,
    kind: str,
    error: str,
    report: OrderReport | None,
) -> tuple[int | None, str]:
    """Rule 5: keep what the venue said in an incident, or the journal if the DB is gone."""
    payload: dict[str, Any] = {"position_id": order.position_id}
    if report is not None:
        payload["report"] = {
            "venue_order_id": report.venue_order_id,
            "status": str(report.status),
            "executed_qty": plain(report.executed_qty),
            "cum_quote_usd": plain(report.cum_quote_usd),
            "avg_price": plain(report.avg_price) if report.avg_price is not None else None,
            "fee_usd": plain(report.fee_usd),
            "fee_pending": report.fee_pending,
            "raw": scrub_venue_response(report.raw),
        }
    logger.error("order %s not booked: %s", order.client_order_id, error)
    incident_id: int | None = None
    try:
        # The order row itself may be what went missing: the incident must not depend on it.
        order_row_exists = Order.objects.filter(pk=order.pk).exists()
        incident = incident_record(
            kind=kind,
            bot_id=order.bot_id,
            order_id=order.pk if order_row_exists else None,
            client_order_id=order.client_order_id,
            venue_order_id=report.venue_order_id if report else "",
            intent=order.intent,
            payload=payload,
            error=error,
            dedupe_key=f"unbooked:{order.client_order_id}",
        )
        incident_id = incident.pk
        where = f"incident #{incident.pk}"
    except Exception as db_exc:
        journal_append(
            {
                "kind": kind,
                "bot_id": order.bot_id,
                "order_id": order.pk,
                "client_order_id": order.client_order_id,
                "intent": order.intent,
                "payload": payload,
                "error": f"{error}; incident write failed: {db_exc}",
            }
        )
        where = "the recovery journal"
    return incident_id, where


def _not_booked(
    order: Order, *, kind: str, error: str, report: OrderReport | None
) -> OrderNotBooked:
    incident_id, where = _record_unbooked(order, kind=kind, error=error, report=report)
    return OrderNotBooked(
        f"Order {order.client_order_id} reached the venue but could not be booked; it is recorded "
        f"in {where} for resolution.",
        client_order_id=order.client_order_id,
        order_status=order.status,
        http_status=502,
        code="not_booked",
        incident_id=incident_id,
    )
