"""The process's write gate (egis/core/sqlite/base.py): a transaction holds it from BEGIN to
COMMIT or ROLLBACK, whatever happens; a second thread's transaction waits for it, then runs;
waiting is bounded like SQLite's busy handler."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction

from egis.bots.models import Bot
from egis.core.sqlite.base import gate_for, write_gate

pytestmark = pytest.mark.django_db(transaction=True)


def _gate() -> threading.Lock:
    return gate_for(str(connection.settings_dict["NAME"]))


def test_a_transaction_holds_the_gate_until_it_commits():
    assert not _gate().locked()
    with transaction.atomic():
        assert _gate().locked()
        with transaction.atomic():  # a savepoint takes nothing more
            assert _gate().locked()
        assert _gate().locked()
    assert not _gate().locked()


def test_a_rolled_back_transaction_gives_the_gate_up():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _gate().locked()
        raise RuntimeError("refused")
    assert not _gate().locked()


def test_a_write_outside_a_transaction_holds_it_for_its_statement_only():
    with write_gate(connection):
        assert _gate().locked()
    assert not _gate().locked()
    with transaction.atomic(), write_gate(connection):  # inside a transaction: already held
        assert _gate().locked()
    assert not _gate().locked()


def test_a_second_threads_transaction_waits_for_the_first_then_runs(paper_bot):
    holding, done = threading.Event(), threading.Event()
    names: list[str] = []

    def second() -> None:
        holding.wait(10)
        try:
            with transaction.atomic():
                names.append(Bot.objects.get(pk=paper_bot.pk).name)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    with transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="renamed in the first")
        holding.set()
        # The second thread cannot begin while this one holds the gate.
        assert not done.wait(0.2)
    thread.join(10)
    assert done.is_set()
    assert names == ["renamed in the first"]


def test_waiting_for_the_gate_is_bounded_like_the_busy_handler(monkeypatch):
    taken, release = threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            taken.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(10)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.05)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
        assert connection.in_atomic_block is False
    finally:
        release.set()
        thread.join(10)
    with transaction.atomic():  # free again once the holder committed
        assert _gate().locked()
