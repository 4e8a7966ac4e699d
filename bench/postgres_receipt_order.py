"""PostgreSQL only, by hand: two webhook receipts for one bot commit in the order of their ids.

The worker runs a bot's signals by id. On PostgreSQL a sequence hands ids out at INSERT and
commits land later, so without the receipt's per-bot lock (egis.signals.services,
_insert_committed) a later signal (B) could commit, and run, before an earlier one (A) whose
commit was slow. This starts a throwaway cluster (bench/postgres.py), holds A's transaction
open for a second after its INSERT, posts B meanwhile, and prints when each committed.

    .venv/bin/python bench/postgres_receipt_order.py

2026-11-27, PostgreSQL 15.18: without the lock B (id 2) committed 0.81 s before A (id 1);
with it, 0.015 s after A.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import psycopg  # noqa: E402
from postgres import throwaway_cluster  # noqa: E402


def main() -> int:
    with throwaway_cluster() as admin:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE egis_order")
        os.environ["DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/egis_order"
        os.environ["EGIS_DATA_DIR"] = tempfile.mkdtemp(prefix="egis-order-")
        os.environ["DJANGO_SETTINGS_MODULE"] = "egis.settings"
        os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
        os.environ["EGIS_PRICE_SOURCE"] = "fixed"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from egis.accounts.models import User
        from egis.bots.services import bot_create
        from egis.signals import services
        from egis.signals.hooks import hook_create

        call_command("migrate", verbosity=0)
        owner = User.objects.create_user(username="bob", password="pw-bob-12345")
        bot = bot_create(owner=owner, name="B", venue="paper", symbol="ETHUSDT", budget_usd="100")
        issued = hook_create(bot_id=bot.pk)
        services._wake = lambda bot_id: None  # no worker here
        real_insert = services.row_insert

        def slow_insert(row: Any) -> Any:
            out = real_insert(row)
            if row.sender_id == "A":
                time.sleep(1.0)  # A's commit lands late
            return out

        services.row_insert = slow_insert  # type: ignore[assignment]
        done: dict[str, tuple[float, int]] = {}

        def post(sender_id: str) -> None:
            payload = {"action": "open", "side": "long", "size_usd": "20", "id": sender_id}
            body = json.dumps({**payload, "secret": issued.secret}).encode()
            received = services.signal_receive(hook_id=issued.hook.hook_id, body=body)
            done[sender_id] = (time.monotonic(), received.signal.pk)
            connections.close_all()

        first = threading.Thread(target=post, args=("A",))
        first.start()
        time.sleep(0.2)
        second = threading.Thread(target=post, args=("B",))
        second.start()
        first.join()
        second.join()
        (at_a, id_a), (at_b, id_b) = done["A"], done["B"]
        in_order = id_b > id_a and at_b > at_a
        print(f"A id {id_a}; B id {id_b} committed {at_b - at_a:+.3f} s after A")
        print("in order of receipt" if in_order else "OUT OF ORDER")
        return 0 if in_order else 1


if __name__ == "__main__":
    raise SystemExit(main())
