"""Benchmark 6: signals through the webhook, gunicorn and the real Huey worker.

16 paper bots (budget $200 each) get a webhook each. 32 senders (two per bot, asyncio tasks in one
load process) post TradingView-style signals to
`POST /hooks/<hook_id>` for 60 s, each with its own sender id: `open long $25`, `open long $25`,
`close`, over and over, and every 8th post is a retry of the previous one (same id: it must
answer "duplicate" and trade nothing). The worker is the real one (`manage.py run_huey`, as
`scripts/run.sh` starts it), executing from the queue while the load runs.

Figures:
- accepted/s: 202 answers per second of load; answer p50/p99 over every answer.
- worker finished/s: signals the worker finished (executed or refused) while the senders
  posted, per second: below accepted/s, a backlog grew during the run.
- receipt -> venue call: from the signal row's `received_at` (committed before the answer) to
  the `created_at` of the first order the signal caused. The pipeline writes and commits that
  order row immediately before it calls the venue (egis.ledger.pipeline._execute), so this is
  the time a signal waited in the queue plus its preflight: the moment the venue is called.
- load average of the machine (1 min) sampled during the run: the machine is shared.
- CPU per post of the senders and of gunicorn, per signal of the worker (load and drain), and
  the bound they set: cores * 1000 / (the CPU of one accepted signal, all processes together).

The senders share the 2 cores with the server and the worker, so what a post costs them is
taken from what is measured: they use bench/lean_http.py (one POST per connection, about 0.25 ms
of CPU a post) rather than a general client (httpx cost 3.3 ms a post, aiohttp 1.0-1.2 ms;
`EGIS_BENCH_SENDER=aiohttp` runs the sender of sessions 4-6 for comparison).

Two runs (`make bench`):
- **the target run, paced**: the senders post 350 times a second in all (306 accepted/s, since
  one post in 8 is a retry answered "duplicate"), each on its own schedule whatever the answers
  do, as alerts arrive. The targets are judged on this run: at least 300 accepted signals a second,
  answered within 100 ms at the 99th percentile, at the venue within 250 ms at the median.
- **the capacity run, closed loop**: a sender posts again as soon as its answer came, so the
  senders post as fast as gunicorn answers. It shows how many signals a second the receipt takes
  and how many the worker executes beside it; what the worker cannot keep up with queues, and its
  receipt -> venue figures then grow with the queue (Little's law: 32 senders that each wait for
  their answer post 32 / (mean answer time) times a second, whatever the worker can do). Its
  pass is the ledger's only: 0 duplicates executed, 0 overspend, every signal final, no 5xx.

`--rate N` runs one paced run of N posts/s, `--rate 0` one closed-loop run.

Afterwards (once the worker has drained the queue, at most 120 s): 0 duplicates executed (no
two orders with the same idempotency key on a bot, no two signals with the same sender id, at
most one open per signal), 0 overspent bots, every signal final.

Run alone: `.venv/bin/python bench/signals.py [--seconds 60] [--rate N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PYTHON,
    ROOT,
    Target,
    cpu_seconds,
    django_setup,
    free_port,
    fresh_database,
    gunicorn_workers,
    percentile,
    result,
    start_gunicorn,
    temp_root,
    wait_up,
    worker_json,
)
from signal_senders import load_worker, sender_kind

BOTS = 16
SECONDS = 60.0
BOT_BUDGET = "200.00"
DRAIN_TIMEOUT_S = 120.0
TARGET_ACCEPTED = 300.0
TARGET_P99_MS = 100.0
TARGET_VENUE_P50_MS = 250.0
# The target run's pace: 7 posts in 8 are new signals, so 350 posts/s offer 306 accepted/s.
TARGET_POSTS_PER_S = 350.0
# The per-hook throttle keeps running (its cost is part of every answer) but its limit is raised
# above what 2 senders per hook can post, so it does not cap the figure being measured.
HOOK_LIMIT_PER_MINUTE = "100000"


def _threads() -> int:
    return int(os.environ.get("EGIS_BENCH_GUNICORN_THREADS", "1"))


def _worker_args() -> list[str]:
    # The worker as scripts/run.sh starts it; EGIS_BENCH_HUEY_ARGS (diagnosis) overrides it.
    return os.environ.get("EGIS_BENCH_HUEY_ARGS", "--workers 4 -k thread").split()


def _consumers() -> int:
    # Worker processes (Huey consumers) side by side; EGIS_BENCH_CONSUMERS (diagnosis) sets it.
    return int(os.environ.get("EGIS_BENCH_CONSUMERS", "1"))


def _workers_cpu(workers: list[subprocess.Popen[bytes]]) -> float:
    return sum(cpu_seconds(proc.pid) for proc in workers)


# --- children: setup and check ----------------------------------------------------------------


def setup_worker() -> dict[str, Any]:
    django_setup()
    from decimal import Decimal

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.signals.hooks import hook_create
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import price_set

    user = User.objects.create_user(username="sigbench", password="bench-pw-123", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    price_set(symbol="ETHUSDT", price=Decimal("2934.56"), source="fixed")
    hooks = []
    for i in range(BOTS):
        bot = bot_create(
            owner=user, name=f"sig-{i}", venue="paper", symbol="ETHUSDT", budget_usd=BOT_BUDGET
        )
        issued = hook_create(bot_id=bot.pk)
        hooks.append({"bot": bot.pk, "hook_id": issued.hook.hook_id, "secret": issued.secret})
    return {"hooks": hooks}


def pending_worker() -> dict[str, Any]:
    django_setup()
    from egis.signals.models import FINAL_SIGNAL_STATUSES, Signal

    return {"pending": Signal.objects.exclude(status__in=FINAL_SIGNAL_STATUSES).count()}


def check_worker() -> dict[str, Any]:
    django_setup()
    from django.db.models import Count, Min, Sum

    from egis.bots.models import Bot
    from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position, PositionStatus
    from egis.signals.models import FINAL_SIGNAL_STATUSES, Signal

    overspent = []
    for bot in Bot.objects.order_by("id"):
        held = Position.objects.filter(bot=bot, status=PositionStatus.OPEN).aggregate(
            s=Sum("size_usd")
        )["s"]
        if held is not None and held > bot.initial_budget_usd:
            overspent.append({"bot": bot.pk, "held": str(held)})
    dup_keys = (
        Order.objects.exclude(idempotency_key=None)
        .values("bot_id", "idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    dup_senders = (
        Signal.objects.exclude(sender_id="")
        .values("bot_id", "sender_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    received = dict(Signal.objects.values_list("id", "received_at"))
    first_call: dict[int, Any] = {}
    opens_per_signal: dict[int, int] = {}
    rows = (
        Order.objects.filter(idempotency_key__startswith="sig")
        .values("idempotency_key", "intent")
        .annotate(first=Min("created_at"))
    )
    for row in rows:
        signal_id = int(str(row["idempotency_key"])[3:].split("-", 1)[0])
        if signal_id not in first_call or row["first"] < first_call[signal_id]:
            first_call[signal_id] = row["first"]
        if row["intent"] == "open":
            opens_per_signal[signal_id] = opens_per_signal.get(signal_id, 0) + 1
    lag_ms = [
        (first_call[sid] - received[sid]).total_seconds() * 1000
        for sid in first_call
        if sid in received
    ]
    # The worker's own pace: signals it finished while the senders were posting, per second.
    start, end = (float(x) for x in os.environ.get("EGIS_BENCH_WINDOW", "0,0").split(","))
    finished_in_window = 0
    if end > start:
        moment = [datetime.fromtimestamp(x, tz=UTC) for x in (start, end)]
        finished_in_window = Signal.objects.filter(processed_at__range=moment).count()
    return {
        "finished_per_s": finished_in_window / (end - start) if end > start else None,
        "overspent": overspent,
        "dup_order_keys": dup_keys,
        "dup_sender_ids": dup_senders,
        "signals_with_two_opens": sum(1 for n in opens_per_signal.values() if n > 1),
        "signals": len(received),
        "not_final": Signal.objects.exclude(status__in=FINAL_SIGNAL_STATUSES).count(),
        "signal_statuses": dict(Signal.objects.values_list("status").annotate(n=Count("id"))),
        # Why signals failed (a venue or database failure), the first few: a benchmark that
        # only counted them would hide a bug.
        "failed_reasons": list(
            Signal.objects.filter(status="failed")
            .order_by("id")
            .values_list("reason", flat=True)[:3]
        ),
        "orders": Order.objects.count(),
        "orders_not_final": Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).count(),
        "venue_p50_ms": percentile(lag_ms, 50) if lag_ms else None,
        "venue_p99_ms": percentile(lag_ms, 99) if lag_ms else None,
        "signals_with_orders": len(lag_ms),
    }


# --- the load ---------------------------------------------------------------------------------


# --- parent -----------------------------------------------------------------------------------


def _drain(env: dict[str, str], timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if worker_json([PYTHON, __file__, "--pending"], env)["pending"] == 0:
            break
        time.sleep(1.0)
    return time.perf_counter() - started


def run(
    target: Target, *, seconds: float = SECONDS, rate: float | None = None
) -> list[dict[str, Any]]:
    """The target run (paced) and the capacity run (closed loop); one of them when `rate` is
    given (0: the closed loop)."""
    rates = [TARGET_POSTS_PER_S, 0.0] if rate is None else [rate]
    return [_run_once(target, seconds=seconds, rate=r) for r in rates]


def _run_once(target: Target, *, seconds: float, rate: float) -> dict[str, Any]:
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        env = db.env(EGIS_HOOK_MAX_PER_MINUTE=HOOK_LIMIT_PER_MINUTE)
        try:
            setup = worker_json([PYTHON, __file__, "--setup"], env)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115
            server = start_gunicorn(env, port, log, threads=_threads())
            huey = [PYTHON, str(ROOT / "manage.py"), "run_huey", *_worker_args()]
            # EGIS_BENCH_NO_WORKER=1 (diagnosis only): the receipt alone, nothing executes.
            idle = [PYTHON, "-c", "import time; time.sleep(1e6)"]
            workers = [
                subprocess.Popen(
                    idle if os.environ.get("EGIS_BENCH_NO_WORKER") else huey,
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
                for _ in range(_consumers())
            ]
            try:
                wait_up(base, server)
                hooks_file = Path(tmp) / "hooks.json"
                hooks_file.write_text(json.dumps(setup["hooks"]))
                cpu_before = (cpu_seconds(server.pid), _workers_cpu(workers))
                load = worker_json(
                    [
                        PYTHON,
                        __file__,
                        "--load",
                        base,
                        "--hooks",
                        str(hooks_file),
                        "--seconds",
                        str(seconds),
                        "--rate",
                        str(rate),
                    ],
                    env,
                )
                server_cpu_s = cpu_seconds(server.pid) - cpu_before[0]
                drain_s = (
                    0.0 if os.environ.get("EGIS_BENCH_NO_WORKER") else _drain(env, DRAIN_TIMEOUT_S)
                )
                worker_cpu_s = _workers_cpu(workers) - cpu_before[1]
            finally:
                for proc in (server, *workers):
                    proc.terminate()
                for proc in (server, *workers):
                    proc.wait(timeout=30)
                log.close()
            window = ",".join(str(x) for x in load["window"])
            check = worker_json([PYTHON, __file__, "--check"], {**env, "EGIS_BENCH_WINDOW": window})
            log_tail = (Path(tmp) / "server.log").read_text(errors="replace")[-1500:]
        finally:
            db.drop()
    fivexx = sum(n for k, n in load["status"].items() if k.startswith("5"))
    transport = load["status"].get("transport", 0)
    accepted = load["accepted"] / load["elapsed_s"]
    if load["errors"]:
        print("  first errors: " + " | ".join(load["errors"][:3]))
    if (fivexx or check["not_final"]) and log_tail.strip():
        print("  server/worker log tail:\n" + log_tail)
    loads = load["load_avg"] or [0.0]
    posts = max(1, load["answers"])
    signals = max(1, check["signals"])
    cpu_ms = [1000 * c for c in (load["client_cpu_s"], server_cpu_s, worker_cpu_s)]
    figures = {
        "mode": f"paced {rate:g} posts/s" if rate else "closed loop",
        "accepted/s": round(accepted, 1),
        # What the worker finished per second while the senders posted (accepted signals it
        # executed or refused): below accepted/s, a backlog grew.
        "worker finished/s": round(check["finished_per_s"] or 0, 1),
        "answer p50 ms": round(load["p50_ms"] or 0, 1),
        "answer p99 ms": round(load["p99_ms"] or 0, 1),
        "receipt->venue p50 ms": round(check["venue_p50_ms"] or 0, 1),
        "receipt->venue p99 ms": round(check["venue_p99_ms"] or 0, 1),
        "answers": load["status"],
        "signals": check["signal_statuses"],
        "failed (first 3)": check["failed_reasons"],
        "signals with orders": check["signals_with_orders"],
        "duplicates executed": check["dup_order_keys"]
        + check["dup_sender_ids"]
        + check["signals_with_two_opens"],
        "overspent bots": len(check["overspent"]),
        "signals not final": check["not_final"],
        "orders not final": check["orders_not_final"],
        "drain s": round(drain_s, 1),
        # CPU of the senders and of gunicorn per post, of the worker per signal (load and drain).
        # All three per accepted signal bound what the machine can take: cores * 1000 / it.
        "cpu ms sender/server/worker": f"{cpu_ms[0] / posts:.2f}/{cpu_ms[1] / posts:.2f}/"
        f"{cpu_ms[2] / signals:.2f}",
        "cpu bound signals/s": round((os.cpu_count() or 1) * 1000 * signals / sum(cpu_ms), 1),
        "load avg 1m (mean/max)": f"{sum(loads) / len(loads):.2f}/{max(loads):.2f}",
        "gunicorn workers x threads": f"{gunicorn_workers()}x{_threads()}",
        "worker": f"{_consumers()} x " + " ".join(_worker_args()),
        "sender": sender_kind(),
        "seconds": round(load["elapsed_s"], 1),
    }
    ledger_held = (
        fivexx == 0
        and transport == 0
        and figures["duplicates executed"] == 0
        and not check["overspent"]
        and check["not_final"] == 0
    )
    ledger_target = "0 duplicates, 0 overspend, all final, no 5xx"
    if not rate:  # the capacity run: no speed target, the ledger's only
        return result(
            f"6 signals, capacity (closed loop) [{target.label}]",
            figures=figures,
            unit="signals/s, ms",
            target=f"no speed target; {ledger_target}",
            passed=ledger_held,
        )
    passed = (
        ledger_held
        and accepted >= TARGET_ACCEPTED
        and (load["p99_ms"] or 1e9) < TARGET_P99_MS
        and (check["venue_p50_ms"] or 1e9) < TARGET_VENUE_P50_MS
    )
    return result(
        f"6 signals, paced {rate:g} posts/s [{target.label}]",
        figures=figures,
        unit="signals/s, ms",
        target=f">= {TARGET_ACCEPTED:.0f} accepted/s, p99 < {TARGET_P99_MS:.0f} ms, "
        f"receipt->venue p50 < {TARGET_VENUE_P50_MS:.0f} ms, {ledger_target}",
        passed=passed,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--pending", action="store_true")
    parser.add_argument("--load", default="")
    parser.add_argument("--hooks", default="")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="one run: N posts/s in all, paced (0: closed loop); default: both runs",
    )
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_worker()))
    elif args.check:
        print(json.dumps(check_worker()))
    elif args.pending:
        print(json.dumps(pending_worker()))
    elif args.load:
        hooks = json.loads(Path(args.hooks).read_text())
        print(json.dumps(load_worker(args.load, hooks, args.seconds, args.rate or 0.0)))
    else:
        from common import table

        outcome = run(Target(), seconds=args.seconds, rate=args.rate)
        print(table(outcome))
        for row in outcome:
            print(json.dumps({row["name"]: row["figures"]}, indent=1))


if __name__ == "__main__":
    main()
