"""Benchmark 5: racing orders on new bots must all get a clean answer (issue 10, section 3).

Real threads, each with its own database connection, call the real pipeline
(`egis.ledger.pipeline.order_open` / `order_close`, paper venue, fixed price) at the same moment
(a barrier releases them together):

- opens: 100 rounds; each round creates a NEW paper bot with a $55 budget (its paper book has no
  row yet) and 16 threads open $10 long on it at once (ETH at 1,000: $10 buys exactly 0.010).
  Five fit; the other eleven must be refused with "not enough budget".
- closes: 50 rounds; each round creates a new bot, opens one $10 position, then 16 threads
  close that position at once (a double click, sixteen times over). Exactly one must close it;
  the others must be refused ("already closing" / "not open").

Counted: answers that would be a 5xx at the edge (`OrderNotBooked` with status >= 500, or any
exception that is not a refusal), incidents created, double closes (a position
with more than one filled close order, or a bot whose paper venue executed more than one close),
overspent bots (open `size_usd` above the budget), orders left in flight after a round, and
rounds where exactly one close won. Target: 0, 0, 0, 0, 0 and every close round.

Run alone: `.venv/bin/python bench/races.py [--postgres URL]` (on SQLite without it).
`make bench-postgres` runs it against the throwaway cluster.
"""

from __future__ import annotations

import argparse
import functools
import json
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, Target, django_setup, fresh_database, result, temp_root, worker_json

THREADS = 16
OPEN_ROUNDS = 100
CLOSE_ROUNDS = 50
OPEN_BUDGET = "55.00"
OPEN_SIZE = "10.00"
PRICE = "1000"


# --- worker (child process) -------------------------------------------------------------------


class Racers:
    """THREADS long-lived threads, one database connection each, released together per round."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.jobs: list[queue.Queue[Any]] = [queue.Queue() for _ in range(n)]
        self.done: queue.Queue[str] = queue.Queue()
        self.threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(n)]
        for thread in self.threads:
            thread.start()

    def _loop(self, i: int) -> None:
        from django.db import connection

        while True:
            job = self.jobs[i].get()
            if job is None:
                connection.close()
                return
            call, barrier = job
            connection.ensure_connection()  # connected before the start line, not after it
            barrier.wait()
            self.done.put(_outcome(call))

    def race(self, call: Callable[[], Any]) -> list[str]:
        barrier = threading.Barrier(self.n)
        for jobs in self.jobs:
            jobs.put((call, barrier))
        return [self.done.get(timeout=120) for _ in range(self.n)]

    def stop(self) -> None:
        for jobs in self.jobs:
            jobs.put(None)
        for thread in self.threads:
            thread.join(30)


def _outcome(call: Callable[[], Any]) -> str:
    """What the edge would answer: ok, refused (4xx), or 5xx (with the reason)."""
    from egis.ledger.errors import OrderNotBooked, OrderRefused

    try:
        call()
        return "ok"
    except OrderRefused as exc:
        return "5xx:refused-" + type(exc).__name__ if exc.http_status >= 500 else "refused"
    except OrderNotBooked as exc:
        kind = "5xx" if exc.http_status >= 500 else "4xx"
        return f"{kind}:not_booked-{exc.code}"
    except Exception as exc:  # anything else is a crash at the edge
        first_line = (str(exc).splitlines() or [""])[0][:40]
        return f"5xx:crash-{type(exc).__name__} ({first_line})"


def _setup() -> Any:
    from egis.accounts.models import User
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import price_set

    user = User.objects.create_user(username="races", password="races-pw-123", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    price_set(symbol="ETHUSDT", price=Decimal(PRICE), source="fixed")
    return user


def _new_bot(user: Any, name: str, budget: str) -> int:
    from egis.bots.services import bot_create

    bot = bot_create(owner=user, name=name, venue="paper", symbol="ETHUSDT", budget_usd=budget)
    return int(bot.pk)


def _audit_bot(bot_id: int) -> dict[str, int]:
    """What the database says after a round: overspend, leftovers, incidents, double closes."""
    from django.db.models import Count, Q, Sum

    from egis.bots.models import Bot
    from egis.ledger.models import (
        IN_FLIGHT_ORDER_STATUSES,
        Incident,
        Order,
        Position,
    )
    from egis.venues.paper.models import PaperFill

    bot = Bot.objects.get(pk=bot_id)
    held = Position.objects.filter(bot_id=bot_id, status="open").aggregate(s=Sum("size_usd"))["s"]
    doubled = (
        Order.objects.filter(bot_id=bot_id, intent="close", executed_qty__gt=0)
        .values("position_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    venue_closes = PaperFill.objects.filter(bot_id=bot_id, reduce_only=True, qty__gt=0).count()
    return {
        "overspent": int((held or Decimal(0)) > bot.initial_budget_usd),
        "in_flight": Order.objects.filter(
            bot_id=bot_id, status__in=IN_FLIGHT_ORDER_STATUSES
        ).count(),
        "reconciliations": Incident.objects.filter(Q(bot_id=bot_id)).count(),
        "double_closes": doubled,
        "venue_closes": venue_closes,
    }


def worker(open_rounds: int, close_rounds: int) -> dict[str, Any]:
    django_setup()
    from django.db import connection

    from egis.ledger.models import Incident
    from egis.ledger.pipeline import order_close, order_open

    user = _setup()
    reconciliations_before = Incident.objects.count()
    racers = Racers(THREADS)
    opens: Counter[str] = Counter()
    closes: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    open_rounds_clean = 0
    close_rounds_one_winner = 0
    started = time.perf_counter()
    try:
        for n in range(open_rounds):
            bot_id = _new_bot(user, f"race-open-{n}", OPEN_BUDGET)
            answers = racers.race(
                functools.partial(order_open, bot_id=bot_id, side="long", size_usd=OPEN_SIZE)
            )
            opens.update(answers)
            audit = _audit_bot(bot_id)
            totals.update({f"open {k}": v for k, v in audit.items()})
            if not any(a.startswith("5xx") for a in answers) and not audit["in_flight"]:
                open_rounds_clean += 1
        for n in range(close_rounds):
            bot_id = _new_bot(user, f"race-close-{n}", "100.00")
            opened = order_open(bot_id=bot_id, side="long", size_usd=OPEN_SIZE)
            position_id = opened.position.pk
            answers = racers.race(
                functools.partial(order_close, bot_id=bot_id, position_id=position_id)
            )
            closes.update(answers)
            audit = _audit_bot(bot_id)
            totals.update({f"close {k}": v for k, v in audit.items()})
            won = answers.count("ok")
            if (
                won == 1
                and not any(a.startswith(("5xx", "4xx")) for a in answers)
                and audit["venue_closes"] == 1
                and not audit["reconciliations"]
            ):
                close_rounds_one_winner += 1
    finally:
        racers.stop()
        connection.close()
    reconciliations = Incident.objects.count() - reconciliations_before
    return {
        "vendor": connection.vendor,
        "seconds": time.perf_counter() - started,
        "opens": dict(opens),
        "closes": dict(closes),
        "totals": dict(totals),
        "open_rounds": open_rounds,
        "open_rounds_clean": open_rounds_clean,
        "close_rounds": close_rounds,
        "close_rounds_one_winner": close_rounds_one_winner,
        "reconciliations": reconciliations,
    }


# --- parent -----------------------------------------------------------------------------------


def _five_xx(answers: dict[str, int]) -> int:
    return sum(n for key, n in answers.items() if key.startswith("5xx"))


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    totals = data["totals"]
    return {
        "open 5xx": _five_xx(data["opens"]),
        "close 5xx": _five_xx(data["closes"]),
        "incidents": data["reconciliations"],
        "double closes": totals.get("close double_closes", 0),
        "overspent bots": totals.get("open overspent", 0) + totals.get("close overspent", 0),
        "orders left in flight": totals.get("open in_flight", 0) + totals.get("close in_flight", 0),
        "one close won": f"{data['close_rounds_one_winner']}/{data['close_rounds']} rounds",
        "clean open rounds": f"{data['open_rounds_clean']}/{data['open_rounds']}",
        "open answers": ", ".join(f"{k}={v}" for k, v in sorted(data["opens"].items())),
        "close answers": ", ".join(f"{k}={v}" for k, v in sorted(data["closes"].items())),
        "s": round(data["seconds"], 1),
    }


def run(
    target: Target, *, open_rounds: int = OPEN_ROUNDS, close_rounds: int = CLOSE_ROUNDS
) -> list[dict[str, Any]]:
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        try:
            data = worker_json(
                [
                    PYTHON,
                    __file__,
                    "--worker",
                    "--open-rounds",
                    str(open_rounds),
                    "--close-rounds",
                    str(close_rounds),
                ],
                db.env(),
            )
        finally:
            db.drop()
    figures = _figures(data)
    passed = (
        figures["open 5xx"] == 0
        and figures["close 5xx"] == 0
        and figures["incidents"] == 0
        and figures["double closes"] == 0
        and figures["overspent bots"] == 0
        and figures["orders left in flight"] == 0
        and data["close_rounds_one_winner"] == data["close_rounds"]
    )
    return [
        result(
            f"5 races on new bots [{target.label}]",
            figures=figures,
            unit="counts",
            target=(
                f"{THREADS} racing opens x {open_rounds} and closes x {close_rounds}: 0 5xx, "
                "0 reconciliations, 0 double closes, 0 overspend, one close wins every round"
            ),
            passed=passed,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--open-rounds", type=int, default=OPEN_ROUNDS)
    parser.add_argument("--close-rounds", type=int, default=CLOSE_ROUNDS)
    parser.add_argument("--postgres", default="", help="admin URL of a PostgreSQL cluster")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.open_rounds, args.close_rounds)))
        return
    from common import table

    target = Target("postgresql", args.postgres) if args.postgres else Target()
    print(table(run(target, open_rounds=args.open_rounds, close_rounds=args.close_rounds)))


if __name__ == "__main__":
    main()
