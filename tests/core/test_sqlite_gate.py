"""The SQLite write gate (egis.core.sqlite_gate): writers queue at a `flock` before SQLite's
lock; the gate is held exactly as long as a write, always released, bounded by the busy
timeout, and advisory (SQLite's lock still decides)."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction

from egis.bots.models import Bot
from egis.core.rows import row_update
from egis.core.sqlite_gate.base import DatabaseWrapper as GatedWrapper
from egis.core.sqlite_gate.gate import gate_path
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _gate_file() -> str:
    path = gate_path(connection.settings_dict["NAME"])
    assert path is not None
    return path


def _gate_is_free() -> bool:
    """Whether another holder (a descriptor of its own, as another process has) could take it."""
    fd = os.open(_gate_file(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the descriptor also releases a lock it took
    return True


@contextmanager
def _held_elsewhere() -> Iterator[None]:
    """Another writer (its own open file, like another process) holds the gate."""
    fd = os.open(_gate_file(), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def _in_thread(work) -> tuple[threading.Thread, threading.Event, list[object]]:
    started, outcome = threading.Event(), []

    def run() -> None:
        started.set()
        try:
            outcome.append(work())
        except Exception as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, started, outcome


def test_the_backend_and_its_gate_file():
    assert isinstance(connections["default"], GatedWrapper)
    assert gate_path(":memory:") is None
    assert gate_path("file:memorydb_default?mode=memory&cache=shared") is None
    assert gate_path("/data/egis.sqlite3") == "/data/egis.sqlite3-write-gate"


def test_a_write_transaction_holds_the_gate_until_it_commits_or_rolls_back(paper_bot):
    assert _gate_is_free()
    with transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="inside")
        assert not _gate_is_free()
        with transaction.atomic():  # a savepoint: still the one hold
            assert not _gate_is_free()
        assert not _gate_is_free()
    assert _gate_is_free()

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="rolled back")
        assert not _gate_is_free()
        1 / 0  # noqa: B018
    assert _gate_is_free()
    assert Bot.objects.get(pk=paper_bot.pk).name == "inside"


def test_an_order_leaves_the_gate_free(paper_bot, bob):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    assert result.order.status == "filled"
    assert _gate_is_free()


def test_a_transaction_waits_at_the_gate_and_goes_on_when_it_is_released(paper_bot):
    with _held_elsewhere():

        def write() -> str:
            with transaction.atomic():
                Bot.objects.filter(pk=paper_bot.pk).update(name="after the gate")
            return "written"

        thread, started, outcome = _in_thread(write)
        started.wait(5)
        thread.join(0.3)
        assert thread.is_alive() and not outcome  # waiting at the gate, nothing written
        assert Bot.objects.get(pk=paper_bot.pk).name != "after the gate"
    thread.join(10)
    assert outcome == ["written"]
    assert Bot.objects.get(pk=paper_bot.pk).name == "after the gate"
    assert _gate_is_free()


def test_a_row_statement_outside_a_transaction_waits_at_the_gate(paper_bot, bob):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    position = Position.objects.get(pk=opened.position.pk)
    with _held_elsewhere():

        def write() -> str:
            position.fees_usd = position.fees_usd  # the same value: only the wait matters
            row_update(position, ["fees_usd"])
            return "written"

        thread, started, outcome = _in_thread(write)
        started.wait(5)
        thread.join(0.3)
        assert thread.is_alive() and not outcome
    thread.join(10)
    assert outcome == ["written"]
    assert _gate_is_free()


def test_a_hold_past_the_busy_timeout_is_released_and_the_waiter_meets_sqlite_lock(
    paper_bot, caplog
):
    """A holder that keeps its transaction open past the busy timeout: its process's keeper
    lets the next writer through the gate, who then gets SQLite's own answer (locked) instead
    of waiting for ever. The holder's transaction is untouched and commits."""
    options = connection.settings_dict["OPTIONS"]
    timeout = options["timeout"]
    connection.close()
    options["timeout"] = 0.3
    try:
        holding, finish = threading.Event(), threading.Event()

        def hold() -> str:
            with transaction.atomic():
                Bot.objects.filter(pk=paper_bot.pk).update(name="held long")
                holding.set()
                finish.wait(20)
            return "committed"

        holder, _started, outcome = _in_thread(hold)
        assert holding.wait(10)
        with (
            caplog.at_level(logging.WARNING, logger="egis.db"),
            pytest.raises(OperationalError, match="locked"),
            transaction.atomic(),
        ):
            Bot.objects.filter(pk=paper_bot.pk).update(name="waiter")
        assert "write gate held" in caplog.text
        finish.set()
        holder.join(10)
        assert outcome == ["committed"]
        assert Bot.objects.get(pk=paper_bot.pk).name == "held long"
    finally:
        finish.set()
        connection.close()
        options["timeout"] = timeout
    assert _gate_is_free()


def test_the_gate_is_advisory_a_writer_without_it_still_meets_sqlite_lock(paper_bot):
    """Another program holds SQLite's lock but not the gate: a gated writer passes the gate
    and gets SQLite's answer after its busy timeout, as without a gate."""
    import sqlite3

    options = connection.settings_dict["OPTIONS"]
    timeout = options["timeout"]
    connection.close()
    options["timeout"] = 0.2
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            Bot.objects.filter(pk=paper_bot.pk).update(name="x")
        assert _gate_is_free()  # released with the failed transaction
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()
        options["timeout"] = timeout


def test_a_holder_that_dies_releases_the_gate(paper_bot):
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            _gate_file(),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        assert not _gate_is_free()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        with transaction.atomic():
            Bot.objects.filter(pk=paper_bot.pk).update(name="after the dead holder")
        assert Bot.objects.get(pk=paper_bot.pk).name == "after the dead holder"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
