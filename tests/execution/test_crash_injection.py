"""Crash injection: a child process running the real pipeline is SIGKILLed at each stage.

Stages: after the preflight commit (before the venue is called), during the venue call (the
paper venue's fill written but not committed), after the venue answered and before settle.
After `egis recover` the ledger is consistent: nothing in flight, no venue order duplicated,
every hold settled or released, the ledger equal to the paper venue's book, the budget exact.
Then: the database made unwritable right after a venue fill gives a journal line and a
controlled error, and `egis recover` turns it into exactly one incident.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum

from egis.ledger import budget
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Incident,
    Order,
    Position,
)
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.reconcile.paper import paper_reconcile
from egis.venues.paper.models import PaperFill

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EGIS = str(Path(sys.executable).parent / "egis")


@pytest.fixture
def child_env(tmp_path):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egis.settings",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "EGIS_DATA_DIR": str(tmp_path / "data"),
        "EGIS_JOURNAL_PATH": str(tmp_path / "journal.jsonl"),
        "EGIS_PRICE_SOURCE": "fixed",
        "EGIS_LOG_LEVEL": "WARNING",
        "EGIS_SQLITE_BUSY_TIMEOUT": "1",
        # Recovery may look at once; "not found" twice is enough here (no venue lag on paper).
        "EGIS_RECOVERY_TIMEOUT_S": "0",
        "EGIS_RECOVERY_NOT_FOUND_ATTEMPTS": "2",
        "EGIS_RECOVERY_NOT_FOUND_GRACE_S": "0",
        "PYTHONPATH": str(ROOT),
    }


def start_child(env, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.execution.support.pipeline_child", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_stage(child: subprocess.Popen[str], stage: str) -> None:
    assert child.stdout is not None
    for line in child.stdout:  # blocks until the child prints; EOF if it died
        if line.strip() == f"@@stage {stage}":
            return
    child.wait()
    raise AssertionError(
        f"child ended before {stage}: {child.stderr.read() if child.stderr else ''}"
    )


def kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    for stream in (child.stdin, child.stdout, child.stderr):
        if stream is not None:
            stream.close()


def egis_recover(env) -> dict:
    run = subprocess.run(
        [EGIS, "recover", "--json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def assert_ledger_consistent(bot) -> None:
    assert not Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).exists()
    # No venue order duplicated: at most one execution per client order id, and exactly the
    # orders the ledger booked as executed have one.
    executed = set(
        Order.objects.filter(executed_qty__gt=0).values_list("client_order_id", flat=True)
    )
    fills = list(PaperFill.objects.filter(qty__gt=0).values_list("client_order_id", flat=True))
    assert len(fills) == len(set(fills))
    assert set(fills) == executed
    for position in Position.objects.filter(bot=bot):
        if position.status == "cancelled":
            assert position.size_usd == 0  # the hold was released
        elif position.status == "open":
            assert position.qty > 0  # not a hold any more: a fill booked it
            assert position.size_usd == position.qty * position.entry_price
    reserved = Position.objects.filter(bot=bot, status="open").aggregate(s=Sum("size_usd"))["s"]
    assert budget.get_budget(bot).available_usd == bot.initial_budget_usd - (reserved or 0)
    assert paper_reconcile(bot_id=bot.pk).nothing_to_do
    assert not drift_check(bot_id=bot.pk, record=False).drift


STAGES = ["before_venue", "in_venue", "answered"]


@pytest.mark.parametrize("stage", STAGES)
def test_open_killed_at_each_stage_recovers(paper_bot, child_env, stage):
    child = start_child(child_env, "open", str(paper_bot.pk), "--size-usd", "20", "--stage", stage)
    wait_for_stage(child, stage)
    kill(child)

    order = Order.objects.get()
    assert order.status == "submitting"
    assert budget.get_budget(paper_bot).available_usd == Decimal("80")  # the hold survives

    egis_recover(child_env)
    egis_recover(child_env)  # a second "not found" releases a never-placed order
    order.refresh_from_db()
    position = Position.objects.get(pk=order.position_id)
    if stage == "answered":
        assert order.status == "filled"
        assert position.status == "open" and position.size_usd == Decimal("17.60736")
    else:
        assert order.status == "failed"
        assert position.status == "cancelled"
        assert PaperFill.objects.count() == 0
    assert_ledger_consistent(paper_bot)
    # The bot is not stuck: the next open goes through.
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    assert_ledger_consistent(paper_bot)


@pytest.mark.parametrize("stage", STAGES)
def test_close_killed_at_each_stage_recovers(paper_bot, child_env, stage):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    child = start_child(
        child_env,
        "close",
        str(paper_bot.pk),
        "--position",
        str(opened.position.pk),
        "--stage",
        stage,
    )
    wait_for_stage(child, stage)
    kill(child)

    egis_recover(child_env)
    egis_recover(child_env)
    position = Position.objects.get(pk=opened.position.pk)
    close = Order.objects.get(intent="close")
    if stage == "answered":
        assert close.status == "filled"
        assert position.status == "closed"
    else:
        assert close.status == "failed"
        assert position.status == "open" and position.closing_order_id is None
    assert Position.objects.count() == 1  # a close never creates a position
    assert_ledger_consistent(paper_bot)


def test_database_unwritable_after_the_fill_journals_then_one_reconciliation(
    paper_bot, child_env, tmp_path
):
    child = start_child(
        child_env, "open", str(paper_bot.pk), "--size-usd", "20", "--stage", "answered"
    )
    wait_for_stage(child, "answered")
    # Another connection takes the write lock and keeps it past the child's 1 s busy timeout.
    locker = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        out, err = child.communicate("go\n", timeout=120)
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    assert child.returncode == 3, err
    assert "Traceback" not in err
    result = json.loads(next(line for line in out.splitlines() if line.startswith("@@result "))[9:])
    assert result["code"] == "not_booked"
    assert "recovery journal" in result["message"]
    client_order_id = result["client_order_id"]
    assert client_order_id in result["message"]

    lines = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["client_order_id"] == client_order_id
    assert record["kind"] == "db_failed_after_venue"
    assert record["payload"]["report"]["executed_qty"] == "0.006"
    assert Incident.objects.count() == 0  # the database could not take it then

    first = egis_recover(child_env)
    second = egis_recover(child_env)
    assert len(first["journal"]["imported"]) == 1
    assert second["journal"]["imported"] == [] and second["journal"]["already_imported"] == 1
    incident = Incident.objects.get()
    assert incident.client_order_id == client_order_id
    assert incident.payload["report"]["executed_qty"] == "0.006"
    # Recovery also booked the order from the venue's lookup, so the incident is closed as booked.
    order = Order.objects.get(client_order_id=client_order_id)
    assert order.status == "filled"
    assert incident.status == "resolved" and incident.resolution == "booked"
    assert_ledger_consistent(paper_bot)
