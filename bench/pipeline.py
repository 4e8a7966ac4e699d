"""Benchmark 1: the order pipeline (open + close on the paper venue) vs. its own SQL replayed raw.

One process drives `egis.ledger.pipeline.order_open` / `order_close` through the real service
layer (paper venue, fixed price source) against a fresh database. While it runs, every statement
Django sends is captured (SQL, parameters, and the commit points), and afterwards the same stream
is replayed with the plain driver (`sqlite3`, or `psycopg` on PostgreSQL) against a copy of the
database taken just before the measured run. The replay is the floor of the work: same rows,
same indexes, same transactions, no ORM and no Python business logic. Ratio = Egis orders/s
divided by replay orders/s.

Run alone: `.venv/bin/python bench/pipeline.py` (or via bench/run_all.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PYTHON,
    Target,
    django_setup,
    fresh_database,
    percentile,
    result,
    temp_root,
    worker_json,
)

PAIRS = 1500  # measured open + close pairs = 3,000 orders
WARMUP_PAIRS = 100
BLOCKS = 10  # Egis and the raw replay alternate block by block
SIZE_USD = "100.00"
TARGET_OPS = 1000.0
TARGET_RATIO = 0.30


# --- worker (child process) -------------------------------------------------------------------


class Capture:
    """Records the statement stream of one Django connection, with order boundaries and commits."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.events: list[tuple[Any, ...]] = []
        self.enabled = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.enabled:
            self.events.append(("many" if many else "sql", sql, params))
        return execute(sql, params, many, context)

    def install(self) -> None:
        conn = self.connection
        real_commit, real_rollback, real_set_autocommit = (
            conn._commit,
            conn._rollback,
            conn._set_autocommit,
        )
        events = self.events

        def commit() -> Any:
            if self.enabled:
                events.append(("commit",))
            return real_commit()

        def rollback() -> Any:
            if self.enabled:
                events.append(("rollback",))
            return real_rollback()

        def set_autocommit(autocommit: bool) -> Any:
            if self.enabled and not autocommit:
                events.append(("begin",))
            return real_set_autocommit(autocommit)

        # Instrumentation of the benchmark's own connection object, not of Egis code.
        conn._commit, conn._rollback, conn._set_autocommit = commit, rollback, set_autocommit
        conn.execute_wrappers.append(self)

    def mark(self) -> None:
        if self.enabled:
            self.events.append(("order",))


def _setup_bot() -> tuple[int, Any]:
    from decimal import Decimal

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import price_set

    user = User.objects.create_user(username="bench", password="bench-pw-123", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    price_set(symbol="ETHUSDT", price=Decimal("2934.56"), source="fixed")
    bot = bot_create(
        owner=user, name="bench", venue="paper", symbol="ETHUSDT", budget_usd="1000000000.00"
    )
    return bot.pk, user


def _pair(bot_id: int, user: Any, capture: Capture, latencies: list[float]) -> None:
    from egis.ledger.pipeline import order_close, order_open

    t0 = time.perf_counter()
    opened = order_open(bot_id=bot_id, side="long", size_usd=SIZE_USD, actor=user)
    t1 = time.perf_counter()
    capture.mark()
    order_close(bot_id=bot_id, position_id=opened.position.pk, actor=user)
    t2 = time.perf_counter()
    capture.mark()
    latencies.append(t1 - t0)
    latencies.append(t2 - t1)


def _snapshot(vendor: str) -> str:
    """Copy the database as it is now; the replay starts from this copy."""
    from django.conf import settings
    from django.db import connection

    if vendor == "sqlite":
        import sqlite3

        src_path = settings.DATABASES["default"]["NAME"]
        dst_path = str(Path(src_path).with_name("replay.sqlite3"))
        connection.close()
        src = sqlite3.connect(src_path)
        dst = sqlite3.connect(dst_path)
        src.backup(dst)
        dst.close()
        src.close()
        return dst_path
    from common import pg_admin, pg_url

    admin = os.environ["EGIS_BENCH_PG_ADMIN"]
    name = settings.DATABASES["default"]["NAME"]
    copy = f"{name}_replay"
    connection.close()
    pg_admin(admin, f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    return pg_url(admin, copy)


def _prepare_stream(vendor: str, events: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    if vendor != "sqlite":
        return events
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    convert = SQLiteCursorWrapper.convert_query
    out: list[tuple[Any, ...]] = []
    for ev in events:
        if ev[0] in ("sql", "many"):
            params = ev[2]
            names = list(params) if isinstance(params, dict) else None
            out.append((ev[0], convert(None, ev[1], param_names=names), params))  # type: ignore[arg-type]
        else:
            out.append(ev)
    return out


class Replayer:
    """Executes captured statements with the plain driver on its own copy of the database.

    The copy starts from the snapshot, so after replaying blocks 0..k-1 it holds exactly what the
    Egis database held before block k: blocks can alternate (Egis, raw, Egis, raw ...) and both
    sides see the same machine noise.
    """

    def __init__(self, vendor: str, where: str) -> None:
        self.vendor = vendor
        self.where = where
        if vendor == "sqlite":
            import sqlite3

            self.conn: Any = sqlite3.connect(where, isolation_level=None)
            self.conn.executescript(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            )
        else:
            import psycopg

            self.conn = psycopg.connect(where, autocommit=True)

    def run(self, stream: list[tuple[Any, ...]]) -> list[float]:
        """Per-order latencies in seconds."""
        latencies: list[float] = []
        cur = self.conn.cursor()
        fetch_always = self.vendor == "sqlite"
        t0 = time.perf_counter()
        for ev in stream:
            kind = ev[0]
            if kind == "sql":
                cur.execute(ev[1], ev[2] if ev[2] is not None else ())
                if fetch_always or cur.description is not None:
                    cur.fetchall()
            elif kind == "begin":
                if self.vendor != "sqlite":  # SQLite's BEGIN IMMEDIATE is in the stream itself
                    cur.execute("BEGIN")
            elif kind == "commit":
                cur.execute("COMMIT")
            elif kind == "rollback":
                cur.execute("ROLLBACK")
            elif kind == "order":
                now = time.perf_counter()
                latencies.append(now - t0)
                t0 = now
            elif kind == "many":
                cur.executemany(ev[1], ev[2])
        return latencies

    def close(self) -> None:
        self.conn.close()
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.where + suffix).unlink(missing_ok=True)
            return
        from common import pg_admin

        name = self.where.rsplit("/", 1)[1]
        pg_admin(os.environ["EGIS_BENCH_PG_ADMIN"], f'DROP DATABASE IF EXISTS "{name}"')


def worker(pairs: int) -> dict[str, Any]:
    django_setup()
    from django.db import connection

    vendor = connection.vendor
    bot_id, user = _setup_bot()
    capture = Capture(connection)
    warm: list[float] = []
    for _ in range(WARMUP_PAIRS):
        _pair(bot_id, user, capture, warm)
    replayer = Replayer(vendor, _snapshot(vendor))
    connection.ensure_connection()
    capture.install()
    latencies: list[float] = []
    base: list[float] = []
    elapsed = 0.0
    statements = 0
    per_block = max(1, pairs // BLOCKS)
    try:
        for _ in range(BLOCKS):
            capture.events.clear()
            capture.enabled = True
            t0 = time.perf_counter()
            for _ in range(per_block):
                _pair(bot_id, user, capture, latencies)
            elapsed += time.perf_counter() - t0
            capture.enabled = False
            statements += sum(1 for ev in capture.events if ev[0] in ("sql", "many"))
            base.extend(replayer.run(_prepare_stream(vendor, capture.events)))
    finally:
        replayer.close()
    base_elapsed = sum(base)
    orders = len(latencies)
    return {
        "orders": orders,
        "elapsed_s": elapsed,
        "orders_per_s": orders / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statements_per_order": statements / orders,
        "baseline_orders_per_s": len(base) / base_elapsed,
        "baseline_p50_ms": percentile(base, 50) * 1000,
        "baseline_p99_ms": percentile(base, 99) * 1000,
    }


# --- parent -----------------------------------------------------------------------------------


def run(target: Target, *, pairs: int = PAIRS) -> list[dict[str, Any]]:
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        env = db.env(EGIS_BENCH_PG_ADMIN=target.pg_admin_url)
        try:
            data = worker_json([PYTHON, __file__, "--worker", "--pairs", str(pairs)], env)
        finally:
            db.drop()
    ratio = data["orders_per_s"] / data["baseline_orders_per_s"]
    driver = "sqlite3" if target.kind == "sqlite" else "psycopg"
    figures = {
        "orders/s": round(data["orders_per_s"], 1),
        "p50 ms": round(data["p50_ms"], 3),
        "p99 ms": round(data["p99_ms"], 3),
        f"raw {driver} orders/s": round(data["baseline_orders_per_s"], 1),
        "ratio": round(ratio, 3),
        "SQL/order": round(data["statements_per_order"], 1),
        "orders": data["orders"],
    }
    passed = data["orders_per_s"] >= TARGET_OPS and ratio >= TARGET_RATIO
    return [
        result(
            f"1 order pipeline [{target.label}]",
            figures=figures,
            unit="orders/s, ms",
            target=f">= {TARGET_OPS:,.0f} orders/s and >= {TARGET_RATIO} of raw {driver}",
            passed=passed,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--pairs", type=int, default=PAIRS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.pairs)))
        return
    from common import table

    print(table(run(Target(), pairs=args.pairs)))


if __name__ == "__main__":
    main()
