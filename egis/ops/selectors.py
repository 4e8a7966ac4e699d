"""Reads for the health and metrics endpoints: small aggregate queries, nothing per row."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Count, Max

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Incident, IncidentStatus, Order
from egis.ops.models import PeriodicOutcome, PeriodicRun, TaskFailure
from egis.venues.models import Price


def orders_by_status_and_venue() -> list[tuple[str, str, int]]:
    rows = Order.objects.values_list("status", "bot__venue").annotate(n=Count("id"))
    return [(status, venue, n) for status, venue, n in rows]


def orders_in_flight() -> int:
    return Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).count()


def incidents_open() -> int:
    return Incident.objects.filter(status=IncidentStatus.OPEN).count()


def bots_halted() -> int:
    return Bot.objects.filter(deleted_at__isnull=True).exclude(halted_reason="").count()


def price_oldest_live_update(source: str) -> tuple[int, datetime | None]:
    """(how many symbols live bots trade on the feed, when the stalest of their prices last
    moved). A symbol without any price yet counts as never moved (epoch)."""
    bots = Bot.objects.filter(is_active=True, deleted_at__isnull=True)
    if source == "simulated":
        bots = bots.filter(venue=Venue.PAPER)
    symbols = set(bots.values_list("symbol", flat=True).distinct())
    if not symbols:
        return 0, None
    moved = dict(
        Price.objects.filter(source=source, symbol__in=symbols).values_list("symbol", "updated_at")
    )
    never = datetime.fromtimestamp(0, tz=UTC)
    return len(symbols), min(moved.get(symbol, never) for symbol in symbols)


def task_failures_by_task() -> list[tuple[str, int]]:
    return list(TaskFailure.objects.values_list("task").annotate(n=Count("id")).order_by("task"))


def periodic_last_success() -> list[tuple[str, datetime]]:
    rows = (
        PeriodicRun.objects.filter(outcome=PeriodicOutcome.OK)
        .values_list("task")
        .annotate(t=Max("finished_at"))
        .order_by("task")
    )
    return [(task, at) for task, at in rows if at is not None]
