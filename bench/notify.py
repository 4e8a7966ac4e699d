"""What telling costs an order: open + close pairs on the paper venue with and without the
owner's notification channels set up (Telegram and a webhook, every event).

With channels, each fill writes two outbox rows in the settle transaction and, after commit,
enqueues one task on the Huey queue (SQLite, as `make run`); nothing is delivered here (no
worker runs), so the figure is exactly what the request pays. Without channels, a fill pays one
indexed SELECT. Blocks alternate so drift of the machine hits both alike.

Run alone: `.venv/bin/python bench/notify.py [--pairs N]`. Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, Target, django_setup, fresh_database, percentile, temp_root, worker_json


def _worker(pairs: int) -> dict[str, Any]:
    django_setup()
    from decimal import Decimal

    from egis.accounts.models import User
    from egis.bots.services import bot_create
    from egis.ledger.pipeline import order_close, order_open
    from egis.notifications.models import Delivery
    from egis.notifications.services import notify_settings_update
    from egis.venues.prices.sources import price_set
    from egis.venues.symbol_filters_seed import seed_paper_filters

    seed_paper_filters()
    price_set(symbol="BNBUSDT", price=Decimal("580"), source="fixed")
    quiet = User.objects.create_user(username="quiet", password="x-long-password-1")
    told = User.objects.create_user(username="told", password="x-long-password-2")
    notify_settings_update(
        user=told,
        telegram_token="123456789:" + "a" * 35,
        telegram_chat_id="42",
        webhook_url="https://example.com/egis",
    )
    bots = {
        name: bot_create(owner=u, name=name, venue="paper", symbol="BNBUSDT", budget_usd="1000")
        for name, u in (("quiet", quiet), ("told", told))
    }
    times: dict[str, list[float]] = {"quiet": [], "told": []}
    blocks = 10
    for block in range(blocks + 1):  # block 0 warms up
        for name, bot in bots.items():
            for _ in range(max(pairs // blocks, 1)):
                start = time.perf_counter()
                opened = order_open(bot_id=bot.pk, side="long", size_usd="10")
                order_close(bot_id=bot.pk, position_id=opened.position.pk)
                if block:
                    times[name].append((time.perf_counter() - start) / 2)
    out: dict[str, Any] = {"outbox_rows": Delivery.objects.count()}
    for name, values in times.items():
        out[f"{name}_p50_ms"] = round(percentile(values, 50) * 1000, 3)
        out[f"{name}_p99_ms"] = round(percentile(values, 99) * 1000, 3)
        out[f"{name}_orders"] = len(values) * 2
    out["p50_ratio"] = round(out["told_p50_ms"] / out["quiet_p50_ms"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.pairs)))
        return
    with temp_root() as tmp:
        db = fresh_database(Target(), Path(tmp))
        figures = worker_json([PYTHON, __file__, "--worker", "--pairs", str(args.pairs)], db.env())
    print(json.dumps({"benchmark": "notify overhead per order (paper, SQLite)", **figures}))


if __name__ == "__main__":
    main()
