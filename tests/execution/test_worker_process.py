"""The real worker process: `manage.py run_huey` settles what a crash left in flight at start-up.

A pipeline child is SIGKILLed after the paper venue filled its order and before settle. Then a
real Huey consumer starts (not immediate mode, its own SQLite queue): its start-up hook runs
recovery (its per-minute job would be the next chance), which looks the order up by client
order id and books the fill. Nothing here calls a hook or a job directly.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from egis.ledger.models import Order, Position
from tests.execution.test_crash_injection import (
    ROOT,
    assert_ledger_consistent,
    child_env,  # noqa: F401  (fixture)
    kill,
    start_child,
    wait_for_stage,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _wait_settled(order: Order, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status not in ("submitting", "unknown"):
            return
        time.sleep(0.2)


def test_a_worker_start_settles_an_order_a_crash_left_in_flight(
    paper_bot,
    child_env,  # noqa: F811
):
    child = start_child(
        child_env, "open", str(paper_bot.pk), "--size-usd", "20", "--stage", "answered"
    )
    wait_for_stage(child, "answered")
    kill(child)
    order = Order.objects.get()
    assert order.status == "submitting"

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "-k", "thread"],
        cwd=ROOT,
        env={**child_env, "EGIS_TESTING": "0"},  # a real queue, not immediate mode
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_settled(order, seconds=60)
    finally:
        worker.send_signal(signal.SIGTERM)  # what scripts/run.sh sends on Ctrl-C
        try:
            _, stderr = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            _, stderr = worker.communicate()
    assert "Traceback" not in stderr, stderr
    assert order.status == "filled", stderr[-2000:]
    position = Position.objects.get(pk=order.position_id)
    assert position.status == "open" and position.size_usd == Decimal("17.60736")
    assert_ledger_consistent(paper_bot)
