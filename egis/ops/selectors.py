"""Reads for the health and metrics endpoints: small aggregate queries, nothing per row."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Max

from egis.bots.models import Bot
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


def price_last_update(source: str) -> datetime | None:
    """When the stored feed of `source` last moved (its newest row), None if it has no row."""
    last: datetime | None = Price.objects.filter(source=source).aggregate(t=Max("updated_at"))["t"]
    return last


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
