"""In-flight recovery (pipeline step 4): decide the fate of orders the pipeline left in flight.

An order `unknown` (the venue already answered, without a final word) is looked up at once; one
still `submitting` is looked up once older than EGIS_RECOVERY_TIMEOUT_S (the process may still be
waiting for the venue, or it died, or the database was locked). Younger ones are listed as not
examined yet, so that a run says what it left for later. A lookup by client order id decides:

- the venue reports it: book the report through the normal settle code (`settle_order`);
- the venue says it does not exist: that can be lag right after placing, so the hold is released
  (`release_order`, status `failed`) only after EGIS_RECOVERY_NOT_FOUND_ATTEMPTS such answers
  spread over EGIS_RECOVERY_NOT_FOUND_GRACE_S; the count and first sighting live in the order's
  `venue_response["recovery"]`;
- anything else (the venue is unreachable, the order keeps working, the report cannot be booked)
  becomes an incident of kind `unknown_order` once the order is older than
  EGIS_RECOVERY_ESCALATE_S.

Booked fills whose fee is still pending (the venue had not listed all their trades) are looked up
again and their fee completed (`fee_complete`).

Safe from several workers at once: settle and release are compare-and-set on the order status
(fee completion on `fee_pending`), so the second worker finds the order settled and does nothing.

What a run reports (RecoveryOutcome, NotExamined, RecoveryReport and the actions) is
egis.execution.recovery_report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.log_context import bind_order
from egis.core.money import plain
from egis.execution.fees import complete_pending_fees
from egis.execution.recovery_report import (
    ALREADY_SETTLED,
    ESCALATED,
    FAILED,
    RELEASED,
    SETTLED,
    WAITING,
    NotExamined,
    RecoveryOutcome,
    RecoveryReport,
)
from egis.exits.asked import exits_asked_catch_up
from egis.exits.binance_recovery import binance_exits_recover
from egis.ledger.incidents import incident_record
from egis.ledger.journal import journal_import
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Incident,
    IncidentKind,
    IncidentStatus,
    Order,
    OrderStatus,
)
from egis.ledger.settle import release_order, settle_order
from egis.venues.base import OrderNotFound, VenueAdapter
from egis.venues.registry import venue_for

logger = logging.getLogger("egis.recovery")

VenueFactory = Callable[[Bot], VenueAdapter]

# Incidents about an order's unbooked fate: once the order is booked there is nothing to decide.
ORDER_FATE_KINDS = (IncidentKind.DB_FAILED_AFTER_VENUE, IncidentKind.UNKNOWN_ORDER)


def _outcome(
    order: Order, action: str, detail: str, incident_id: int | None = None
) -> RecoveryOutcome:
    status = Order.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    return RecoveryOutcome(
        order_id=order.pk,
        client_order_id=order.client_order_id,
        bot_id=order.bot_id,
        intent=order.intent,
        action=action,
        detail=detail,
        order_status=status or order.status,
        incident_id=incident_id,
    )


def _open_incident_for(order: Order) -> Incident | None:
    return (
        Incident.objects.filter(order_id=order.pk, status=IncidentStatus.OPEN)
        .order_by("id")
        .first()
    )


def _undecided(order: Order, *, now: datetime, detail: str) -> RecoveryOutcome:
    """Still no decision: wait, or past the escalation age raise (at most) one incident."""
    age = now - order.created_at
    if age < timedelta(seconds=settings.EGIS_RECOVERY_ESCALATE_S):
        return _outcome(order, WAITING, detail)
    incident = _open_incident_for(order) or incident_record(
        kind=IncidentKind.UNKNOWN_ORDER,
        bot_id=order.bot_id,
        order_id=order.pk,
        client_order_id=order.client_order_id,
        venue_order_id=order.venue_order_id,
        intent=order.intent,
        payload={"position_id": order.position_id, "age_seconds": int(age.total_seconds())},
        error=f"recovery could not decide the fate of {order.client_order_id}: {detail}",
        dedupe_key=f"recovery:{order.client_order_id}",
    )
    return _outcome(order, ESCALATED, detail, incident.pk)


def _count_not_found(order: Order, *, now: datetime) -> tuple[int, datetime] | None:
    """Record one more "does not exist" answer; None if the order settled meanwhile."""
    with transaction.atomic():
        lock_bot(order.bot_id)  # the bot first: the lock order of egis.bots.locks
        locked = (
            Order.objects.select_for_update()
            .filter(pk=order.pk, status__in=IN_FLIGHT_ORDER_STATUSES)
            .first()
        )
        if locked is None:
            return None
        response = dict(locked.venue_response or {})
        seen = dict(response.get("recovery") or {})
        count = int(seen.get("not_found_count", 0)) + 1
        first = seen.get("first_not_found_at") or now.isoformat()
        seen.update(
            not_found_count=count, first_not_found_at=first, last_not_found_at=now.isoformat()
        )
        response["recovery"] = seen
        locked.venue_response = response
        locked.save(update_fields=["venue_response", "updated_at"])
        return count, datetime.fromisoformat(first)


def _not_found(order: Order, *, now: datetime, code: int | None) -> RecoveryOutcome:
    counted = _count_not_found(order, now=now)
    if counted is None:
        return _outcome(order, ALREADY_SETTLED, "settled by another worker meanwhile")
    count, first = counted
    attempts = settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS
    grace = timedelta(seconds=settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S)
    spread = now - first
    if count < attempts or spread < grace:
        return _outcome(
            order,
            WAITING,
            f"not found at the venue ({count} of {attempts} answers over "
            f"{int(spread.total_seconds())}s of {int(grace.total_seconds())}s grace)",
        )
    error = (
        f"never placed: the venue answered 'does not exist' (code {code}) {count} times "
        f"over {int(spread.total_seconds())}s"
    )
    result = release_order(order.pk, status=OrderStatus.FAILED, error=error, via="recovery")
    if result.already_settled:
        return _outcome(order, ALREADY_SETTLED, "settled by another worker meanwhile")
    return _outcome(order, RELEASED, error)


def recover_order(order: Order, *, now: datetime, venue_factory: VenueFactory) -> RecoveryOutcome:
    try:
        venue = venue_factory(order.bot)
        report = venue.lookup_order(symbol=order.symbol, client_order_id=order.client_order_id)
    except OrderNotFound as exc:
        return _not_found(order, now=now, code=exc.code)
    except Exception as exc:  # unreachable, misconfigured, or a bug: undecided, never a crash
        return _undecided(order, now=now, detail=f"lookup failed: {type(exc).__name__}: {exc}")
    try:
        result = settle_order(order.pk, report, via="recovery")
    except Exception as exc:
        logger.exception("recovery could not book %s", order.client_order_id)
        return _undecided(
            order,
            now=now,
            detail=f"the venue reports {report.status} {plain(report.executed_qty)} but booking "
            f"failed: {type(exc).__name__}: {exc}",
        )
    if result.already_settled:
        return _outcome(order, ALREADY_SETTLED, "settled by another worker meanwhile")
    if result.order.status == OrderStatus.UNKNOWN:
        return _undecided(order, now=now, detail=f"still working at the venue ({report.status})")
    return _outcome(
        order,
        SETTLED,
        f"venue reports {report.status}: executed {plain(report.executed_qty)}",
    )


def _in_flight(
    *, now: datetime, timeout_s: int | None, bot_id: int | None
) -> tuple[QuerySet[Order], QuerySet[Order], int]:
    """(orders to look up now, orders too young to examine, the timeout in seconds).

    `unknown` means the venue already answered without a final word: nothing is still waiting
    for it, so it is looked up at once. `submitting` may be a request still on its way.
    """
    timeout = settings.EGIS_RECOVERY_TIMEOUT_S if timeout_s is None else timeout_s
    cutoff = now - timedelta(seconds=timeout)
    in_flight = Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES)
    if bot_id is not None:
        in_flight = in_flight.filter(bot_id=bot_id)
    due = in_flight.filter(Q(status=OrderStatus.UNKNOWN) | Q(created_at__lte=cutoff))
    young = in_flight.filter(status=OrderStatus.SUBMITTING, created_at__gt=cutoff)
    return due.select_related("bot"), young, timeout


def not_examined(
    *, now: datetime | None = None, timeout_s: int | None = None, bot_id: int | None = None
) -> list[NotExamined]:
    now = now or timezone.now()
    _, young, timeout = _in_flight(now=now, timeout_s=timeout_s, bot_id=bot_id)
    return [
        NotExamined(
            order_id=order.pk,
            client_order_id=order.client_order_id,
            bot_id=order.bot_id,
            intent=order.intent,
            age_seconds=max(0, int((now - order.created_at).total_seconds())),
            timeout_seconds=timeout,
        )
        for order in young.order_by("id")
    ]


def recover_in_flight(
    *,
    now: datetime | None = None,
    timeout_s: int | None = None,
    venue_factory: VenueFactory = venue_for,
    bot_id: int | None = None,
) -> list[RecoveryOutcome]:
    now = now or timezone.now()
    candidates, _, _ = _in_flight(now=now, timeout_s=timeout_s, bot_id=bot_id)
    outcomes = []
    for order in candidates.order_by("id"):
        bind_order(order.client_order_id)
        try:
            outcome = recover_order(order, now=now, venue_factory=venue_factory)
        except Exception as exc:  # one order's database trouble must not stall the others
            logger.exception("recovery of %s failed", order.client_order_id)
            outcome = _outcome(order, FAILED, f"{type(exc).__name__}: {exc}; retried next run")
        logger.info("recovery %s: %s (%s)", order.client_order_id, outcome.action, outcome.detail)
        outcomes.append(outcome)
    bind_order("")
    return outcomes


def _report_agrees(incident: Incident, order: Order) -> bool:
    """A stored venue report (from the pipeline or the journal) must match what was booked."""
    report = (incident.payload or {}).get("report")
    if not isinstance(report, dict) or order.status not in (
        OrderStatus.FILLED,
        OrderStatus.PARTIALLY_FILLED,
    ):
        return True
    return str(report.get("executed_qty")) == plain(order.executed_qty)


def close_booked_incidents() -> list[int]:
    """Close open incidents about an order's fate once that order has been booked.

    The incident stays (nothing is deleted); its resolution and an audit event say what booked
    it. An incident whose stored venue report disagrees with what was booked stays open.
    """
    from egis.execution.incident_base import incident_close

    closed = []
    incidents = Incident.objects.filter(
        status=IncidentStatus.OPEN, kind__in=ORDER_FATE_KINDS, order__isnull=False
    ).select_related("order")
    for incident in incidents.order_by("id"):
        order = incident.order
        assert order is not None
        if order.status in IN_FLIGHT_ORDER_STATUSES or not _report_agrees(incident, order):
            continue
        done = incident_close(
            incident,
            resolution="booked",
            reason=f"order {order.client_order_id} was booked as {order.status} "
            f"(executed {plain(order.executed_qty)}) through the normal settle code",
            actor=None,
        )
        if done:
            closed.append(incident.pk)
    return closed


def recover(
    *,
    now: datetime | None = None,
    timeout_s: int | None = None,
    venue_factory: VenueFactory = venue_for,
) -> RecoveryReport:
    """`egis recover`, the periodic job and worker start-up: journal import, then orders."""
    now = now or timezone.now()
    report = RecoveryReport()
    report.journal = journal_import()
    report.outcomes = recover_in_flight(now=now, timeout_s=timeout_s, venue_factory=venue_factory)
    report.exits = binance_exits_recover(now=now, timeout_s=timeout_s)
    report.exits_asked = exits_asked_catch_up(
        now=now,
        timeout_s=timeout_s,
        venue_factory=venue_factory,
        booked_now=[o.order_id for o in report.outcomes if o.action in (SETTLED, RELEASED)],
    )
    report.not_examined = not_examined(now=now, timeout_s=timeout_s)
    report.fees = complete_pending_fees(venue_factory=venue_factory)
    report.incidents_closed = close_booked_incidents()
    return report
