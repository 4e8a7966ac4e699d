"""Benchmark 2: the budget's cost does not grow with closed history.

`egis.ledger.budget.get_budget(bot)` for a bot with 100 open positions, first while `positions`
holds no closed rows, then after 1,000,000 closed rows spread over 10,000 bots (the measured bot
gets its share of that history too). Both phases run in one process against one fresh SQLite
file; the ratio of the two p50s is the figure that matters. The closed rows are bulk-inserted with
`sqlite3.executemany` (FixedDecimalField stores value x 10^8 as an integer). The query plan of
the exact statement Django issues is printed, to show which index serves it.

Run alone: `.venv/bin/python bench/budget.py`.
"""

from __future__ import annotations

import argparse
import json
import re
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

OPEN_POSITIONS = 100
CLOSED_ROWS = 1_000_000
BOTS = 10_000
CALLS = 3000
TARGET_P50_MS = 0.5
TARGET_RATIO = 1.5
SCALE = 10**8


def _measure(bot: Any) -> list[float]:
    from egis.ledger.budget import get_budget

    for _ in range(200):
        get_budget(bot)
    samples = []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        get_budget(bot)
        samples.append(time.perf_counter() - t0)
    return samples


def _measure_sql(sql: str, params: Any, db_path: str) -> list[float]:
    """The same statement with plain sqlite3: the database's own share of the call."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    samples = []
    for _ in range(CALLS):
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchall()
        samples.append(time.perf_counter() - t0)
    conn.close()
    return samples


def _budget_statement(bot: Any) -> tuple[str, Any]:
    from django.db import connection
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    from egis.ledger.budget import get_budget

    seen: list[tuple[str, Any]] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        get_budget(bot)
    assert len(seen) == 1, f"get_budget issued {len(seen)} statements"
    sql, params = seen[0]
    return SQLiteCursorWrapper.convert_query(None, sql), tuple(params)  # type: ignore[arg-type]


def _plan(db_path: str, sql: str, params: Any) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    conn.close()
    return [str(r[-1]) for r in rows]


def _bulk_history(db_path: str, owner_id: int, bot_id: int) -> float:
    """10,000 bots (the measured one among them) and 1,000,000 closed rows, via executemany."""
    import sqlite3

    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    now = "2025-01-01 00:00:00"
    conn.executemany(
        "INSERT INTO bots (name, venue, symbol, leverage, initial_budget_usd, is_active, "
        "halted_reason, leverage_applied, created_at, owner_id) VALUES "
        "(?, 'paper', 'ETHUSDT', 1, ?, 1, '', 0, ?, ?)",
        ((f"history-{i}", 1000 * SCALE, now, owner_id) for i in range(BOTS - 1)),
    )
    bot_ids = [bot_id] + [
        r[0] for r in conn.execute("SELECT id FROM bots WHERE id != ? ORDER BY id", (bot_id,))
    ]
    per_bot = CLOSED_ROWS // len(bot_ids)

    def rows() -> Any:
        size = 25 * SCALE
        for n in range(per_bot):
            for b in bot_ids:
                # Interleaved like real history: every bot trades a little every day.
                yield (b, size, size, (n % 97 + 1) * SCALE // 1000, now, now)

    conn.executemany(
        "INSERT INTO positions (symbol, side, status, requested_size_usd, size_usd, qty, "
        "entry_price, exit_price, fees_usd, realized_pnl_usd, opened_at, closed_at, bot_id) "
        "VALUES ('ETHUSDT', 'long', 'closed', ?, ?, ?, NULL, NULL, 0, 0, ?, ?, ?)",
        ((r[1], r[2], r[3], r[4], r[5], r[0]) for r in rows()),
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def worker() -> dict[str, Any]:
    django_setup()
    from decimal import Decimal

    from django.conf import settings
    from django.db import connection

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.ledger.models import Position, PositionStatus

    db_path = str(settings.DATABASES["default"]["NAME"])
    user = User.objects.create_user(username="bench", password="bench-pw-123", role="user")
    bot = bot_create(
        owner=user, name="bench", venue="paper", symbol="ETHUSDT", budget_usd="100000.00"
    )
    Position.objects.bulk_create(
        Position(
            bot=bot,
            symbol="ETHUSDT",
            side="long",
            status=PositionStatus.OPEN,
            requested_size_usd=Decimal("25"),
            size_usd=Decimal("24.98765432"),
            qty=Decimal("0.0085"),
        )
        for _ in range(OPEN_POSITIONS)
    )
    sql, params = _budget_statement(bot)
    empty = _measure(bot)
    empty_sql = _measure_sql(sql, params, db_path)
    plan_empty = _plan(db_path, sql, params)
    connection.close()
    load_s = _bulk_history(db_path, user.pk, bot.pk)
    closed = Position.objects.filter(status=PositionStatus.CLOSED).count()
    full = _measure(bot)
    full_sql = _measure_sql(sql, params, db_path)
    plan_full = _plan(db_path, sql, params)
    from egis.ledger.budget import get_budget

    reserved = get_budget(bot).reserved_usd
    return {
        "sql": sql,
        "plan_empty": plan_empty,
        "plan_full": plan_full,
        "closed_rows": closed,
        "bulk_load_s": load_s,
        "reserved_usd": str(reserved),
        "p50_empty_ms": percentile(empty, 50) * 1000,
        "p50_full_ms": percentile(full, 50) * 1000,
        "p99_full_ms": percentile(full, 99) * 1000,
        "sql_p50_empty_ms": percentile(empty_sql, 50) * 1000,
        "sql_p50_full_ms": percentile(full_sql, 50) * 1000,
    }


def _index_name(plan: list[str]) -> str:
    found = re.search(r"USING (?:COVERING )?INDEX (\w+)", " ".join(plan))
    return found.group(1) if found else "none (table scan)"


def run(target: Target) -> list[dict[str, Any]]:
    if target.kind != "sqlite":
        return []
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        data = worker_json([PYTHON, __file__, "--worker"], db.env())
    print(f"  budget SQL: {data['sql']}")
    print(f"  plan, 0 closed rows:   {' / '.join(data['plan_empty'])}")
    print(f"  plan, {data['closed_rows']:,} closed rows: {' / '.join(data['plan_full'])}")
    ratio = data["p50_full_ms"] / data["p50_empty_ms"]
    expected = str(OPEN_POSITIONS * 24.98765432)
    exact = data["reserved_usd"].rstrip("0") == expected.rstrip("0")
    figures = {
        "p50 0 closed ms": round(data["p50_empty_ms"], 3),
        "p50 1M closed ms": round(data["p50_full_ms"], 3),
        "p99 1M closed ms": round(data["p99_full_ms"], 3),
        "ratio": round(ratio, 3),
        "SQL-only p50 0/1M ms": f"{data['sql_p50_empty_ms']:.3f}/{data['sql_p50_full_ms']:.3f}",
        "closed rows": data["closed_rows"],
        "exact": exact,
        "index": _index_name(data["plan_full"]),
    }
    passed = (
        data["p50_full_ms"] < TARGET_P50_MS
        and data["p50_empty_ms"] < TARGET_P50_MS
        and ratio <= TARGET_RATIO
        and exact
        and data["closed_rows"] >= CLOSED_ROWS
    )
    return [
        result(
            "2 budget cost growth [SQLite]",
            figures=figures,
            unit="ms per get_budget call",
            target=f"p50 < {TARGET_P50_MS} ms, ratio <= {TARGET_RATIO}",
            passed=passed,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    from common import table

    print(table(run(Target())))


if __name__ == "__main__":
    main()
