"""What executing a signal no longer pays for, and what it still guarantees (benchmark 6).

- A signal claimed from `queued` has placed nothing (its orders are written only after its
  claim commits), so its orders are not looked up before it runs, and its summary is built from
  the pipeline's answers, not read back. A resumed signal (tests/signals/test_crash_resume.py)
  still reads what the dead worker placed.
- The claim and the finish are compiled compare-and-set UPDATEs (egis.core.row_updates): the claim
  takes a queued signal once; the finish changes an executing one once.
- The statement count of each kind of signal is pinned as a ceiling: the work does not creep
  back unnoticed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egis.bots.models import Bot
from egis.core.row_updates import RowUpdate
from egis.core.rows import RowStatementError
from egis.ledger.models import Order, Position, PositionStatus
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("queue_only")]

ORDERS_OF_SIGNAL = "idempotency_key >="  # the range read of egis.signals.signal_orders


def _run(sender, payload):
    assert sender.post(payload).status_code == 202
    with CaptureQueriesContext(connection) as captured:
        done = signal_process()
    assert len(done) == 1
    return done[0], [q["sql"] for q in captured.captured_queries]


def test_a_fresh_signal_neither_looks_up_nor_reads_back_its_orders(sender):
    done, sql = _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": "o1"})

    assert done.status == SignalStatus.EXECUTED
    order = Order.objects.get()
    booked = f"open long $17.61 of $20.00 asked (position #{order.position_id})"
    assert done.reason == f"{booked}: filled"
    assert not [s for s in sql if ORDERS_OF_SIGNAL in s]


def test_a_close_signal_summarises_each_close_from_the_pipeline(sender):
    for n in range(2):
        _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": f"o{n}"})
    ids = sorted(Position.objects.values_list("id", flat=True))

    done, sql = _run(sender, {"action": "close", "id": "c1"})

    assert done.reason == f"close position #{ids[0]}: filled; close position #{ids[1]}: filled"
    assert not Position.objects.filter(status=PositionStatus.OPEN).exists()
    assert not [s for s in sql if ORDERS_OF_SIGNAL in s]


def test_a_refusal_after_a_fill_still_says_what_traded(sender, paper_bot):
    _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    position = Position.objects.get()
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd=Decimal("10"))

    done, sql = _run(sender, {"target": "short", "size_usd": "20", "id": "t1"})

    # The target's close filled, then its open was refused by the bot's limit: it traded, so
    # it is executed, "partly", naming the close from the pipeline's answer.
    assert done.status == SignalStatus.EXECUTED
    assert done.reason.startswith(f"partly: close position #{position.pk}: filled; then ")
    assert "max" in done.reason.lower()
    assert not [s for s in sql if ORDERS_OF_SIGNAL in s]


# Ceilings, measured on this code: the first open of a bot also creates its paper book row.
STATEMENTS = {"first open": 37, "open": 35, "close of two": 61}


def test_the_statements_a_signal_runs_stay_within_their_ceiling(sender):
    _, first = _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    _, second = _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": "o2"})
    _, close_all = _run(sender, {"action": "close", "id": "c1"})

    assert len(first) <= STATEMENTS["first open"]
    assert len(second) <= STATEMENTS["open"]
    assert len(close_all) <= STATEMENTS["close of two"]


def test_the_claim_and_finish_statements_compare_and_set(sender):
    assert sender.post({"action": "close", "id": "c1"}).status_code == 202
    signal = Signal.objects.get()
    claim = RowUpdate(Signal, ["status", "claimed_at"], "id = %s AND status = %s")
    now = timezone.now()

    assert claim.run([SignalStatus.EXECUTING, now], signal.pk, SignalStatus.QUEUED) == 1
    assert claim.run([SignalStatus.EXECUTING, now], signal.pk, SignalStatus.QUEUED) == 0
    signal.refresh_from_db()
    assert signal.status == SignalStatus.EXECUTING
    assert signal.claimed_at == now  # bound as the ORM binds a datetime, read back equal
    with pytest.raises(RowStatementError):
        claim.run([SignalStatus.EXECUTING], signal.pk, SignalStatus.QUEUED)


def test_a_signal_builds_no_orm_query_once_its_bot_has_traded(sender, paper_bot, orm_statements):
    # The first open of a bot creates its paper book row (rare, through the ORM); every signal
    # after it, open or close, runs compiled statements only, as the worker's wake-up runs them
    # (one bot). Two ORM queries per signal (the hook switch and the claim's renewal) once cost
    # more CPU than the rest of the signal's reads together (docs/BENCHMARKS.md, "Session 11").
    bodies = [
        {"action": "open", "side": "long", "size_usd": "20", "id": "o2"},
        {"target": "short", "size_usd": "20", "id": "t1"},  # two closes, then an open
        {"action": "close", "id": "c1"},
    ]
    _run(sender, {"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    for body in bodies:
        assert sender.post(body).status_code == 202
    orm_statements.clear()

    done = signal_process(bot_id=paper_bot.pk)

    assert [s.status for s in done] == [SignalStatus.EXECUTED] * 3
    assert orm_statements == []
