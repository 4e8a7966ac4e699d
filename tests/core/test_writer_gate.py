"""The SQLite writers' gate (egis.core.writer_gate, egis.core.sqlite_backend): every write of
Egis takes it before SQLite's write lock and leaves it when its transaction ends, and a writer
that cannot take it within the busy timeout gets SQLite's own "database is locked"."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction

from egis.bots.models import Bot
from egis.core.row_cursor import fast_capable
from egis.core.row_updates import RowUpdate
from egis.core.sqlite_backend.base import GatedConnection
from egis.core.writer_gate import GATE_SUFFIX, WriterGate, gate_for, is_write

pytestmark = pytest.mark.django_db(transaction=True)

_RENAME = RowUpdate(Bot, ["name"], "id = %s")


def _database() -> str:
    connection.ensure_connection()
    return str(connection.settings_dict["NAME"])


def _other_writer(timeout_s: float = 0.05) -> WriterGate:
    """A second writer of the same database (its own gate, as another connection has)."""
    gate = gate_for(_database(), timeout_s=timeout_s)
    assert gate is not None
    return gate


def _short_wait() -> None:
    """Egis's own connection gives up on the gate after 50 ms instead of the busy timeout."""
    connection.ensure_connection()
    gate = connection.connection.egis_gate
    assert gate is not None
    gate.timeout_s = 0.05


def test_the_database_is_egis_s_backend_with_a_gate_beside_its_file():
    assert settings.DATABASES["default"]["ENGINE"] == "egis.core.sqlite_backend"
    connection.ensure_connection()
    assert isinstance(connection.connection, GatedConnection)
    assert connection.connection.egis_gate is not None
    assert Path(_database() + GATE_SUFFIX).exists()
    # The row statements still take the driver's cursor (the gate travels with it).
    assert fast_capable(connections["default"])


def test_a_transaction_holds_the_gate_from_begin_to_commit(paper_bot):
    other = _other_writer()
    with transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="inside")
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other.enter()
    other.enter()  # committed: free
    other.leave()
    assert Bot.objects.get(pk=paper_bot.pk).name == "inside"


def test_a_rolled_back_transaction_leaves_the_gate(paper_bot):
    other = _other_writer()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="rolled back")
        _ = 1 / 0
    other.enter()
    other.leave()
    assert Bot.objects.get(pk=paper_bot.pk).name != "rolled back"


def test_a_write_outside_a_transaction_waits_for_the_gate_and_reads_do_not(paper_bot):
    _short_wait()
    other = _other_writer()
    other.enter()
    try:
        # Django's cursor (the ORM) and the driver's cursor (row statements) alike.
        with pytest.raises(OperationalError, match="database is locked"):
            Bot.objects.filter(pk=paper_bot.pk).update(name="orm")
        with pytest.raises(OperationalError, match="database is locked"):
            _RENAME.run(["row"], paper_bot.pk)
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            pass
        assert Bot.objects.get(pk=paper_bot.pk).name == paper_bot.name  # reads go on
    finally:
        other.leave()
    assert _RENAME.run(["row"], paper_bot.pk) == 1
    Bot.objects.filter(pk=paper_bot.pk).update(name="orm")
    assert Bot.objects.get(pk=paper_bot.pk).name == "orm"


def test_a_closed_connection_leaves_its_gate():
    other = _other_writer()
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()  # BEGIN IMMEDIATE, never ended
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        other.enter()
    connection.close()
    other.enter()
    other.leave()


def test_two_gates_of_one_process_exclude_each_other(tmp_path):
    first = WriterGate(str(tmp_path / "db"), timeout_s=0.05)
    second = WriterGate(str(tmp_path / "db"), timeout_s=0.05)
    first.enter()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.enter()
    first.leave()
    second.enter()
    assert second.held and not first.held
    second.close()
    first.close()


def test_a_forked_child_takes_the_gate_on_a_file_of_its_own(tmp_path):
    """A connection opened before a fork (gunicorn's workers) must not share its open file with
    the parent: flock treats one open file as one holder, so the child would walk in."""
    gate = WriterGate(str(tmp_path / "db"), timeout_s=0.2)
    gate.enter()
    gate.leave()  # the file is open in the parent now
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: wait for the parent to hold the gate, then try it
        code = 3
        try:
            os.read(ready_read, 1)
            try:
                gate.enter()
                code = 1  # let in while the parent holds it
            except sqlite3.OperationalError:
                code = 0
        finally:
            os._exit(code)
    try:
        gate.enter()
        os.write(ready_write, b"x")
        _, status = os.waitpid(pid, 0)
    finally:
        gate.leave()
        gate.close()
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize(
    ("database", "gated"),
    [(":memory:", False), ("file:memorydb?mode=memory&cache=shared", False), ("", False)],
)
def test_no_gate_where_no_file_is_beside_the_database(database, gated):
    assert (gate_for(database, timeout_s=1.0) is not None) is gated


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t SET a = 1", True),
        ("DELETE FROM t", True),
        ("REPLACE INTO t VALUES (1)", True),
        ("SELECT * FROM t", False),
        ("PRAGMA journal_mode=WAL", False),
        ("BEGIN IMMEDIATE", False),
    ],
)
def test_which_statements_are_writes(sql, write):
    assert is_write(sql) is write


def test_a_gate_file_that_cannot_be_opened_leaves_the_writes_to_sqlite(tmp_path, caplog):
    (tmp_path / ("db" + GATE_SUFFIX)).mkdir()  # in the way of the file
    gate = WriterGate(str(tmp_path / "db"), timeout_s=0.05)
    gate.enter()  # not an error: SQLite's own lock still keeps writers apart
    assert not gate.held
    gate.leave()
    assert "cannot be opened" in caplog.text


def test_the_gate_file_is_locked_read_only_so_another_user_shares_it(tmp_path):
    path = tmp_path / ("db" + GATE_SUFFIX)
    gate = WriterGate(str(tmp_path / "db"), timeout_s=0.05)
    gate.enter()
    path.chmod(0o444)  # a file another user made: readable is enough
    other = WriterGate(str(tmp_path / "db"), timeout_s=0.05)
    gate.leave()
    other.enter()
    assert other.held
    other.close()
    gate.close()
