"""Benchmark 3: `egis reconcile-paper-positions` over 100,000 paper rows with 1 % drift.

A fresh SQLite database gets 100,000 paper bots, each with one buy fill in `paper_fills` and its
book row in `paper_positions` (100,000 rows), bulk-inserted with `sqlite3.executemany`. 1 % of
the books drift: two thirds hold a wrong quantity, one third is missing. Then the real command
runs in a child process (`manage.py egis reconcile-paper-positions --json`): dry-run, then
`--confirm`, then a dry-run again, which must find nothing. Seconds are wall time of the child,
memory is the child's peak RSS (wait4 rusage). Streaming is judged by running the same dry-run
over 10,000 rows: peak RSS must not grow by more than 20 % for ten times the rows.

Run alone: `.venv/bin/python bench/reconcile.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PYTHON,
    ROOT,
    Target,
    django_setup,
    fresh_database,
    result,
    run_child,
    temp_root,
    worker_json,
)

ROWS = 100_000
SMALL_ROWS = 10_000
DRIFT_EVERY = 100  # 1 %
TARGET_DRY_S = 3.0
TARGET_RSS_MB = 300.0
TARGET_GROWTH = 1.20
SCALE = 10**8


def seed_worker(rows: int) -> dict[str, Any]:
    django_setup()
    import sqlite3

    from django.conf import settings
    from django.db import connection

    from egis.accounts.models import User

    user = User.objects.create_user(username="reconbench", password="bench-pw-123", role="user")
    db_path = str(settings.DATABASES["default"]["NAME"])
    connection.close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    now = "2025-01-01 00:00:00"
    conn.executemany(
        "INSERT INTO bots (name, venue, symbol, leverage, initial_budget_usd, is_active, "
        "halted_reason, leverage_applied, created_at, owner_id) VALUES "
        "(?, 'paper', 'ETHUSDT', 1, ?, 1, '', 0, ?, ?)",
        ((f"paper-{i}", 1000 * SCALE, now, user.pk) for i in range(rows)),
    )
    bot_ids = [r[0] for r in conn.execute("SELECT id FROM bots ORDER BY id")]
    qty = 34 * SCALE // 1000  # 0.034 ETH
    price = 293456 * SCALE // 100  # 2934.56
    quote = 99771040 * SCALE // 1000000  # 0.034 x 2934.56 = 99.77104
    conn.executemany(
        "INSERT INTO paper_fills (client_order_id, symbol, side, reduce_only, requested_qty, qty, "
        "price, quote_usd, fee_usd, status, created_at, bot_id) VALUES "
        "(?, 'ETHUSDT', 'buy', 0, ?, ?, ?, ?, 0, 'FILLED', ?, ?)",
        ((f"bench-{b}", qty, qty, price, quote, now, b) for b in bot_ids),
    )
    wrong, missing = 0, 0
    book = []
    for n, b in enumerate(bot_ids):
        if n % DRIFT_EVERY == DRIFT_EVERY // 2:
            if n % (3 * DRIFT_EVERY) == DRIFT_EVERY // 2:
                missing += 1
                continue
            wrong += 1
            book.append((2 * qty, price, now, b))  # the book says twice what was filled
        else:
            book.append((qty, price, now, b))
    conn.executemany(
        "INSERT INTO paper_positions (symbol, side, qty, entry_price, status, updated_at, bot_id) "
        "VALUES ('ETHUSDT', 'long', ?, ?, 'open', ?, ?)",
        book,
    )
    conn.execute("COMMIT")
    conn.close()
    return {"bots": len(bot_ids), "book_rows": len(book), "wrong": wrong, "missing": missing}


def _reconcile(env: dict[str, str], *flags: str) -> tuple[dict[str, Any], float, float]:
    argv = [PYTHON, str(ROOT / "manage.py"), "egis", "reconcile-paper-positions", "--json"]
    run = run_child([*argv, *flags], env)
    data: dict[str, Any] = json.loads(run.stdout)
    return data, run.seconds, run.max_rss_mb


def _measure(target: Target, rows: int) -> dict[str, Any]:
    with temp_root() as tmp:
        db = fresh_database(target, Path(tmp))
        env = db.env()
        seeded = worker_json([PYTHON, __file__, "--seed", str(rows)], env)
        dry, dry_s, dry_rss = _reconcile(env)
        out: dict[str, Any] = {"seeded": seeded, "dry_s": dry_s, "dry_rss": dry_rss, "dry": dry}
        if rows == ROWS:
            applied, confirm_s, confirm_rss = _reconcile(env, "--confirm")
            again, again_s, _ = _reconcile(env)
            out.update(
                confirm_s=confirm_s,
                confirm_rss=confirm_rss,
                applied=applied["counts"],
                again=again["counts"],
                again_s=again_s,
            )
    return out


def run(target: Target) -> list[dict[str, Any]]:
    if target.kind != "sqlite":
        return []
    big = _measure(target, ROWS)
    small = _measure(target, SMALL_ROWS)
    seeded = big["seeded"]
    found = big["dry"]["counts"]
    expected_ok = (
        found.get("update", 0) == seeded["wrong"] and found.get("create", 0) == seeded["missing"]
    )
    clean_after = sum(big["again"].values()) == 0
    growth = big["dry_rss"] / small["dry_rss"]
    figures = {
        "dry-run s": round(big["dry_s"], 2),
        "--confirm s": round(big["confirm_s"], 2),
        "peak RSS dry/confirm MB": f"{big['dry_rss']:.0f}/{big['confirm_rss']:.0f}",
        f"RSS at {SMALL_ROWS // 1000}k rows MB": round(small["dry_rss"], 0),
        "RSS growth x10 rows": round(growth, 2),
        f"dry-run s at {SMALL_ROWS // 1000}k": round(small["dry_s"], 2),
        "drift found": f"update {found.get('update', 0)}, create {found.get('create', 0)}",
        "drift expected": f"update {seeded['wrong']}, create {seeded['missing']}",
        "2nd run finds": sum(big["again"].values()),
        "paper rows": seeded["book_rows"],
    }
    passed = (
        big["dry_s"] < TARGET_DRY_S
        and max(big["dry_rss"], big["confirm_rss"]) < TARGET_RSS_MB
        and growth <= TARGET_GROWTH
        and expected_ok
        and clean_after
    )
    return [
        result(
            "3 reconcile 100k paper rows [SQLite]",
            figures=figures,
            unit="s, MB",
            target=f"dry-run < {TARGET_DRY_S:.0f} s, RSS < {TARGET_RSS_MB:.0f} MB, "
            f"RSS growth <= {TARGET_GROWTH}x for 10x rows",
            passed=passed,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.seed:
        print(json.dumps(seed_worker(args.seed)))
        return
    from common import table

    print(table(run(Target())))


if __name__ == "__main__":
    main()
