"""The Django side of `make scale-check`: the bots it trades on, and the checks afterwards.

Run as children of bench/scale.py (`--setup`, `--check`), with the environment of the processes
under test (DATABASE_URL, EGIS_REDIS_URL, ...), so they read exactly what those wrote.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup

ORDER_BOTS = 32
SIGNAL_BOTS = 8
EXIT_BOTS = 8
BOT_BUDGET = "200.00"
MINUTELY = (
    "egis.execution.tasks.recovery_periodic",
    "egis.signals.tasks.signals_periodic",
    "egis.venues.tasks.price_ticks_schedule",
)


def setup_worker() -> dict[str, Any]:
    django_setup()
    from decimal import Decimal

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.signals.hooks import hook_create
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import SimulatedPriceSource

    user = User.objects.create_user(username="scale", password="scale-pw-123", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    SimulatedPriceSource().price("ETHUSDT")  # the walk's first row: the feed starts here
    order_bots = [
        bot_create(
            owner=user, name=f"scale-{i}", venue="paper", symbol="ETHUSDT", budget_usd=BOT_BUDGET
        ).pk
        for i in range(ORDER_BOTS)
    ]
    hooks = []
    for i in range(SIGNAL_BOTS):
        bot = bot_create(
            owner=user, name=f"sig-{i}", venue="paper", symbol="ETHUSDT", budget_usd=BOT_BUDGET
        )
        issued = hook_create(bot_id=bot.pk)
        hooks.append({"bot": bot.pk, "hook_id": issued.hook.hook_id, "secret": issued.secret})
    exit_bots = [
        bot_create(
            owner=user, name=f"exit-{i}", venue="paper", symbol="ETHUSDT", budget_usd=BOT_BUDGET
        ).pk
        for i in range(EXIT_BOTS)
    ]
    return {
        "order_bots": order_bots,
        "hooks": hooks,
        "exit_bots": exit_bots,
        "user": user.username,
    }


def _ledger() -> dict[str, Any]:
    from django.db.models import Count, Sum

    from egis.bots.models import Bot
    from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position, PositionStatus

    overspent = []
    held = dict(
        Position.objects.filter(status=PositionStatus.OPEN)
        .values_list("bot_id")
        .annotate(s=Sum("size_usd"))
    )
    for bot in Bot.objects.all():
        if held.get(bot.pk) is not None and held[bot.pk] > bot.initial_budget_usd:
            overspent.append({"bot": bot.pk, "held": str(held[bot.pk])})
    return {
        "overspent": overspent,
        "orders": Order.objects.count(),
        "order_statuses": dict(Order.objects.values_list("status").annotate(n=Count("id"))),
        "not_final": Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).count(),
        "mid_close": Position.objects.filter(
            status=PositionStatus.OPEN, closing_order__isnull=False
        ).count(),
    }


def _signals(accepted_ids: list[str]) -> dict[str, Any]:
    from django.db.models import Count

    from egis.ledger.models import Order
    from egis.signals.models import FINAL_SIGNAL_STATUSES, Signal
    from egis.venues.paper.models import PaperFill

    dup_order_keys = (
        Order.objects.exclude(idempotency_key=None)
        .values("bot_id", "idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    rows_per_sender = dict(
        Signal.objects.exclude(sender_id="").values_list("sender_id").annotate(n=Count("id"))
    )
    opens: dict[int, int] = defaultdict(int)
    for key in Order.objects.filter(idempotency_key__startswith="sig", intent="open").values_list(
        "idempotency_key", flat=True
    ):
        if key:
            opens[int(key[3:].split("-", 1)[0])] += 1
    orders_by_coid = set(Order.objects.values_list("client_order_id", flat=True))
    fills = list(PaperFill.objects.values_list("client_order_id", flat=True))
    return {
        "signals": Signal.objects.count(),
        "statuses": dict(Signal.objects.values_list("status").annotate(n=Count("id"))),
        "rejected_reasons": dict(
            Signal.objects.filter(status="rejected")
            .values_list("reason")
            .annotate(n=Count("id"))
            .order_by("-n")[:4]
        ),
        "not_final": Signal.objects.exclude(status__in=FINAL_SIGNAL_STATUSES).count(),
        "dup_order_keys": dup_order_keys,
        "dup_sender_rows": sum(1 for n in rows_per_sender.values() if n > 1),
        "signals_with_two_opens": sum(1 for n in opens.values() if n > 1),
        "accepted_without_row": sum(1 for i in accepted_ids if i not in rows_per_sender),
        "paper_fills_without_order": sum(1 for c in fills if c not in orders_by_coid),
        "paper_fills_twice": len(fills) - len(set(fills)),
    }


def _exits() -> dict[str, Any]:
    """Every crossed exit closed its position exactly once: one triggered exit per position at
    most, its position closed by one filled close order with the exit's reason, no exit left
    resting on a closed position."""
    from django.db.models import Count

    from egis.exits.models import Exit, ExitStatus
    from egis.ledger.models import Order, OrderStatus, PositionStatus

    triggered = Exit.objects.filter(status=ExitStatus.TRIGGERED)
    closes = dict(
        Order.objects.filter(intent="close", status=OrderStatus.FILLED)
        .values_list("position_id")
        .annotate(n=Count("id"))
    )
    positions = triggered.values_list("position_id", flat=True)
    not_closed = triggered.exclude(position__status=PositionStatus.CLOSED).count()
    return {
        "exits": Exit.objects.count(),
        "statuses": dict(Exit.objects.values_list("status").annotate(n=Count("id"))),
        "triggered": triggered.count(),
        "positions_with_two_triggered": len(positions) - len(set(positions)),
        "triggered_not_closed": not_closed,
        "closed_twice": sum(1 for pid in set(positions) if closes.get(pid, 0) > 1),
        "resting_on_closed": Exit.objects.filter(
            status__in=[ExitStatus.PLACING, ExitStatus.RESTING],
            position__status=PositionStatus.CLOSED,
        ).count(),
    }


def _jobs(killed_consumers: list[str]) -> dict[str, Any]:
    from django.db.models import Count
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    from egis.ops.models import JobRun

    autodiscover_modules("tasks")  # Huey reads a queued job back only if its task is registered
    # Enqueued just before the workers stopped, or scheduled for later (the price ticks of the
    # minute): still in Redis, not lost.
    queued = {str(task.id) for task in [*HUEY.pending(), *HUEY.scheduled()]}
    lost = JobRun.objects.filter(starts=1, finishes=0)
    return {
        "still_queued_at_stop": JobRun.objects.filter(starts=0, task_id__in=queued).count(),
        "in_redis_at_stop": HUEY.pending_count() + HUEY.scheduled_count(),
        "jobs": JobRun.objects.count(),
        "by_task": dict(JobRun.objects.values_list("task").annotate(n=Count("id"))),
        "executed_twice": JobRun.objects.filter(starts__gt=1).count(),
        "never_executed": JobRun.objects.filter(starts=0).exclude(task_id__in=queued).count(),
        "cut_with_killed_consumer": lost.filter(started_by__in=killed_consumers).count(),
        "cut_elsewhere": lost.exclude(started_by__in=killed_consumers).count(),
        "finished_twice": JobRun.objects.filter(finishes__gt=1).count(),
    }


def _periodic() -> dict[str, Any]:
    from egis.ops.models import PeriodicRun
    from egis.venues.models import Price

    runs: dict[str, list[Any]] = defaultdict(list)
    for run in PeriodicRun.objects.order_by("period_start"):
        runs[run.task].append(run)
    gaps = {}
    for task in MINUTELY:
        periods = [r.period_start for r in runs.get(task, [])]
        missing = [
            str(a + timedelta(minutes=1))
            for a, b in itertools.pairwise(periods)
            if b - a != timedelta(minutes=1)
        ]
        if missing:
            gaps[task] = missing
    ticks = runs.get("egis.venues.tasks.price_ticks_schedule", [])
    price = Price.objects.filter(source="simulated", symbol="ETHUSDT").first()
    return {
        "runs": {
            task: [[r.period_start.strftime("%H:%M"), r.consumer, r.outcome] for r in rs]
            for task, rs in runs.items()
        },
        "gaps": gaps,
        "consumers": sorted({r.consumer for rs in runs.values() for r in rs}),
        # An independent witness: each tick run moves the walk 12 steps at most (5 s ticks); had
        # two consumers run one period, the walk would be further along than the runs allow.
        "price_steps": price.step if price else 0,
        "price_steps_allowed": 12 * len(ticks),
    }


def check_worker(extra: dict[str, Any]) -> dict[str, Any]:
    django_setup()
    return {
        "ledger": _ledger(),
        "signals": _signals(extra["accepted_ids"]),
        "jobs": _jobs(extra["killed_consumers"]),
        "periodic": _periodic(),
        "exits": _exits(),
    }


def main() -> None:
    if sys.argv[1] == "--setup":
        print(json.dumps(setup_worker()))
    elif sys.argv[1] == "--check":
        print(json.dumps(check_worker(json.loads(Path(sys.argv[2]).read_text())), default=str))


if __name__ == "__main__":
    main()
