"""Benchmark 4: the real app under gunicorn on 127.0.0.1, driven through the JSON API v1.

16 order clients, one per paper bot, loop `open $100, open $100, close, close` on their bot
(budget $200: the second open takes what the first left) with
`POST /api/v1/bots/{id}/orders`, while 4 more clients hammer `GET /api/v1/bots/{id}/budget` of
the first bot, for 60 s. Every client is a bounded `httpx.AsyncClient` task in one load process,
authenticated with a Bearer token made by `egis token create`. Afterwards the database is
checked: no bot's open size exceeds its budget, every order is in a final state, no position is
left mid-close.

Run alone: `.venv/bin/python bench/http_load.py [--seconds 60]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PYTHON,
    ROOT,
    Target,
    django_setup,
    free_port,
    fresh_database,
    gunicorn_workers,
    percentile,
    result,
    run_child,
    start_gunicorn,
    temp_root,
    wait_up,
    worker_json,
)

ORDER_CLIENTS = 16
BUDGET_CLIENTS = 4
SECONDS = 60.0
BOT_BUDGET = "200.00"
SIZE_USD = "100.00"
TARGET_OPS = 300.0
TARGET_P99_MS = 100.0


# --- children: setup and check ----------------------------------------------------------------


def setup_worker() -> dict[str, Any]:
    django_setup()
    from decimal import Decimal

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import price_set

    user = User.objects.create_user(username="loadbench", password="bench-pw-123", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    price_set(symbol="ETHUSDT", price=Decimal("2934.56"), source="fixed")
    bots = [
        bot_create(
            owner=user, name=f"load-{i}", venue="paper", symbol="ETHUSDT", budget_usd=BOT_BUDGET
        ).pk
        for i in range(ORDER_CLIENTS)
    ]
    return {"bots": bots, "user": user.username}


def check_worker() -> dict[str, Any]:
    """After the run: overspend, orders not final, positions stuck mid-close."""
    django_setup()
    from django.db.models import Count, Sum

    from egis.bots.models import Bot
    from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position, PositionStatus

    overspent = []
    for bot in Bot.objects.order_by("id"):
        held = Position.objects.filter(bot=bot, status=PositionStatus.OPEN).aggregate(
            s=Sum("size_usd")
        )["s"]
        if held is not None and held > bot.initial_budget_usd:
            budget = str(bot.initial_budget_usd)
            overspent.append({"bot": bot.pk, "held": str(held), "budget": budget})
    return {
        "overspent": overspent,
        "orders": Order.objects.count(),
        "not_final": Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).count(),
        "mid_close": Position.objects.filter(
            status=PositionStatus.OPEN, closing_order__isnull=False
        ).count(),
        "statuses": dict(Order.objects.values_list("status").annotate(n=Count("id"))),
    }


# --- the load ---------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.order_ms: list[float] = []
        self.budget_ms: list[float] = []
        self.status: dict[str, int] = {}
        self.errors: list[str] = []

    def count(self, key: str) -> None:
        self.status[key] = self.status.get(key, 0) + 1


async def _order_client(client: Any, bot_id: int, deadline: float, tally: Tally) -> None:
    url = f"/api/v1/bots/{bot_id}/orders"
    open_ids: list[int] = []

    async def post(body: dict[str, Any]) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        try:
            response = await client.post(url, json=body)
        except Exception as exc:
            tally.count("transport")
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            return None
        tally.order_ms.append((time.perf_counter() - t0) * 1000)
        tally.count(f"order {response.status_code}")
        if response.status_code != 201:
            if len(tally.errors) < 20:
                tally.errors.append(f"{response.status_code} {response.text[:200]}")
            return None
        data: dict[str, Any] = response.json()
        return data

    while time.perf_counter() < deadline:
        for _ in range(2):
            booked = await post({"intent": "open", "side": "long", "size_usd": SIZE_USD})
            if booked is not None and booked["position"]["status"] == "open":
                open_ids.append(booked["position"]["id"])
        while open_ids:
            await post({"intent": "close", "position_id": open_ids.pop()})


async def _budget_client(client: Any, bot_id: int, deadline: float, tally: Tally) -> None:
    url = f"/api/v1/bots/{bot_id}/budget"
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            response = await client.get(url)
        except Exception as exc:
            tally.count("transport")
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        tally.budget_ms.append((time.perf_counter() - t0) * 1000)
        tally.count(f"budget {response.status_code}")


async def _load(base: str, token: str, bots: list[int], seconds: float) -> dict[str, Any]:
    import httpx

    tally = Tally()
    limits = httpx.Limits(max_connections=ORDER_CLIENTS + BUDGET_CLIENTS)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30.0
    ) as client:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *[_order_client(client, b, deadline, tally) for b in bots],
            *[_budget_client(client, bots[0], deadline, tally) for _ in range(BUDGET_CLIENTS)],
        )
        elapsed = time.perf_counter() - started
    return {
        "elapsed_s": elapsed,
        "orders_ok": tally.status.get("order 201", 0),
        "order_requests": len(tally.order_ms),
        "order_p50_ms": percentile(tally.order_ms, 50) if tally.order_ms else None,
        "order_p99_ms": percentile(tally.order_ms, 99) if tally.order_ms else None,
        "budget_reads": len(tally.budget_ms),
        "budget_p50_ms": percentile(tally.budget_ms, 50) if tally.budget_ms else None,
        "budget_p99_ms": percentile(tally.budget_ms, 99) if tally.budget_ms else None,
        "status": tally.status,
        "errors": tally.errors[:20],
    }


def load_worker(base: str, token: str, bots: list[int], seconds: float) -> dict[str, Any]:
    return asyncio.run(_load(base, token, bots, seconds))


# --- parent -----------------------------------------------------------------------------------


def run(target: Target, *, seconds: float = SECONDS) -> list[dict[str, Any]]:
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        env = db.env()
        try:
            setup = worker_json([PYTHON, __file__, "--setup"], env)
            cli = [PYTHON, str(ROOT / "manage.py"), "egis", "token", "create", setup["user"]]
            created = run_child([*cli, "--json"], env)
            token = json.loads(created.stdout)["token"]
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log = open(Path(tmp) / "gunicorn.log", "wb")  # noqa: SIM115
            server = start_gunicorn(env, port, log)
            try:
                wait_up(base, server)
                load = worker_json(
                    [
                        PYTHON,
                        __file__,
                        "--load",
                        base,
                        "--bots",
                        ",".join(map(str, setup["bots"])),
                        "--seconds",
                        str(seconds),
                    ],
                    {**env, "EGIS_BENCH_TOKEN": token},
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
                log.close()
            check = worker_json([PYTHON, __file__, "--check"], env)
            log_tail = (Path(tmp) / "gunicorn.log").read_text(errors="replace")[-1500:]
        finally:
            db.drop()
    fivexx = sum(n for k, n in load["status"].items() if k.split()[-1].startswith("5"))
    fourxx = sum(n for k, n in load["status"].items() if k.split()[-1].startswith("4"))
    transport = load["status"].get("transport", 0)
    ops = load["orders_ok"] / load["elapsed_s"]
    if load["errors"]:
        print("  first errors: " + " | ".join(load["errors"][:3]))
    if fivexx and log_tail.strip():
        print("  gunicorn log tail:\n" + log_tail)
    figures = {
        "orders/s": round(ops, 1),
        "p50 ms": round(load["order_p50_ms"] or 0, 1),
        "p99 ms": round(load["order_p99_ms"] or 0, 1),
        "budget reads/s": round(load["budget_reads"] / load["elapsed_s"], 1),
        "budget p50/p99 ms": f"{load['budget_p50_ms'] or 0:.1f}/{load['budget_p99_ms'] or 0:.1f}",
        "5xx": fivexx,
        "4xx": fourxx,
        "transport errors": transport,
        "overspent bots": len(check["overspent"]),
        "orders not final": check["not_final"],
        "orders": check["orders"],
        "gunicorn workers": gunicorn_workers(),
        "seconds": round(load["elapsed_s"], 1),
    }
    passed = (
        ops >= TARGET_OPS
        and (load["order_p99_ms"] or 1e9) < TARGET_P99_MS
        and fivexx == 0
        and transport == 0
        and not check["overspent"]
        and check["not_final"] == 0
        and check["mid_close"] == 0
    )
    return [
        result(
            f"4 HTTP under load [{target.label}]",
            figures=figures,
            unit="orders/s, ms",
            target=f">= {TARGET_OPS:.0f} orders/s, p99 < {TARGET_P99_MS:.0f} ms, 0 5xx, "
            "0 overspend",
            passed=passed,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--load", default="")
    parser.add_argument("--bots", default="")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_worker()))
    elif args.check:
        print(json.dumps(check_worker()))
    elif args.load:
        bots = [int(b) for b in args.bots.split(",")]
        token = os.environ["EGIS_BENCH_TOKEN"]
        print(json.dumps(load_worker(args.load, token, bots, args.seconds)))
    else:
        from common import table

        print(table(run(Target(), seconds=args.seconds)))


if __name__ == "__main__":
    main()
