"""The SQLite backend waits for the write lock in short steps (egis/core/sqlite/base.py).

SQLite's own busy handler sleeps up to 100 ms at a time between two tries; Egis's backend turns
it off once connected and tries a locked statement again itself. These tests hold the write lock
from a second connection (another process, as far as SQLite knows) and watch the statements the
waiting connection sends with SQLite's trace callback: each try is one traced statement, which
SQLite's own busy handler (retrying inside one statement) would never show.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, transaction

from egis.bots.models import Bot

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def held_lock() -> Iterator[sqlite3.Connection]:
    other = sqlite3.connect(
        connection.settings_dict["NAME"], timeout=1, isolation_level=None, check_same_thread=False
    )
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


@contextmanager
def traced(pattern: str) -> Iterator[list[str]]:
    """The statements containing `pattern` that this test's connection sends, as they start."""
    connection.ensure_connection()
    seen: list[str] = []
    raw = connection.connection
    raw.set_trace_callback(lambda sql: seen.append(sql) if pattern in sql else None)
    try:
        yield seen
    finally:
        raw.set_trace_callback(None)


def _release_after(other: sqlite3.Connection, seen: list[str], tries: int) -> threading.Thread:
    """Commit the other connection once the waiter has tried `tries` times (or after 10 s)."""

    def run() -> None:
        deadline = threading.Event()
        for _ in range(1000):
            if len(seen) >= tries:
                break
            deadline.wait(0.01)
        other.execute("COMMIT")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_connection_waits_itself_not_in_sqlite(settings):
    connection.ensure_connection()
    assert connection.cursor().execute("PRAGMA busy_timeout").fetchone()[0] == 0
    assert connection.lock_wait_s == settings.SQLITE_BUSY_TIMEOUT_S


def test_an_atomic_block_waits_for_the_lock_in_short_steps(paper_bot):
    with held_lock() as other, traced("BEGIN IMMEDIATE") as begins:
        releaser = _release_after(other, begins, tries=5)
        with transaction.atomic():
            Bot.objects.filter(pk=paper_bot.pk).update(name="after-the-wait")
        releaser.join()
    assert len(begins) >= 5  # tried again and again, each a new BEGIN IMMEDIATE
    assert Bot.objects.get(pk=paper_bot.pk).name == "after-the-wait"


def test_an_autocommit_write_waits_for_the_lock_and_lands_once(paper_bot):
    with held_lock() as other, traced('UPDATE "bots"') as updates:
        releaser = _release_after(other, updates, tries=3)
        changed = Bot.objects.filter(pk=paper_bot.pk).update(
            initial_budget_usd=paper_bot.initial_budget_usd
        )
        releaser.join()
    assert changed == 1
    assert len(updates) >= 3


def test_a_lock_held_past_the_timeout_is_still_database_is_locked(paper_bot):
    connection.close()
    saved = connection.settings_dict["OPTIONS"]["timeout"]
    connection.settings_dict["OPTIONS"]["timeout"] = 0.2
    try:
        with (
            held_lock(),
            pytest.raises(OperationalError, match="database is locked"),
            transaction.atomic(),
        ):
            Bot.objects.filter(pk=paper_bot.pk).update(name="never")
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = saved
    assert Bot.objects.get(pk=paper_bot.pk).name == paper_bot.name


def test_inside_a_transaction_nothing_is_tried_twice(paper_bot):
    # Holding the write lock, every statement runs once: the retry is only for taking the lock.
    with traced('UPDATE "bots"') as updates, transaction.atomic():
        Bot.objects.filter(pk=paper_bot.pk).update(name="once")
    assert len(updates) == 1
