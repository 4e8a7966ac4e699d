"""One lock order for every path (egis.bots.locks): the bot, the account, the order and position,
the paper book. Read from the statements the real code sends, transaction by transaction.

SQLite shows no `FOR UPDATE`, so the order checked is the order in which each writing transaction
first touches the lockable tables: on PostgreSQL the locks are taken by those very statements.
The hot path after an order's write-ahead row (paper fill, settle) sends its bot lock only where
the database has row locks (egis.bots.locks.row_locks_needed): these tests run with
`every_lock_read_sent()`, so they see the statements PostgreSQL gets.
Racing closes deadlocked on PostgreSQL when settle took the position before the bot
(docs/BENCHMARKS.md, benchmark 5); this pins the order on the database the tests run on.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egis.bots.locks import bot_row_lock, every_lock_read_sent, lock_bot
from egis.bots.services import position_archive
from egis.core.rows import RowStatementError
from egis.execution.recovery import recover_in_flight
from egis.ledger.errors import OrderNotBooked
from egis.ledger.pipeline import order_close, order_open
from egis.reconcile.paper import paper_reconcile
from egis.venues.paper.models import PaperPosition
from tests.execution.support.venues import LostRequestVenue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _as_on_postgresql():
    """Every lock read sent, as on PostgreSQL (the module docstring)."""
    with every_lock_read_sent():
        yield


# The lock order of egis.bots.locks, by table.
RANK = {
    "bots": 1,
    "exchange_accounts": 2,
    "orders": 3,
    "positions": 3,
    "paper_positions": 4,
}
LOCKED_WRITES = {"orders", "positions", "paper_positions", "paper_fills", "position_events"}
_TABLE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)
_WRITE = re.compile(r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def transactions(captured: CaptureQueriesContext) -> list[list[str]]:
    """The statements of each transaction, split at its BEGIN (commits are not statements)."""
    found: list[list[str]] = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.upper().startswith("BEGIN"):
            assert sql.upper() == "BEGIN IMMEDIATE", sql  # SQLite keeps taking the write lock
            found.append([])
        elif found:
            found[-1].append(sql)
    return found


def writes_a_bots_rows(statements: list[str]) -> bool:
    return any((m := _WRITE.match(sql)) and m.group(1) in LOCKED_WRITES for sql in statements)


def first_touches(statements: list[str]) -> list[str]:
    """The lockable tables in the order the transaction first reaches them."""
    seen: list[str] = []
    for sql in statements:
        for table in _TABLE.findall(sql):
            if table in RANK and table not in seen:
                seen.append(table)
    return seen


def assert_lock_order(captured: CaptureQueriesContext, *, at_least: int) -> None:
    checked = 0
    for statements in transactions(captured):
        if not writes_a_bots_rows(statements):
            continue
        checked += 1
        order = first_touches(statements)
        assert _TABLE.findall(statements[0])[0] == "bots", statements
        ranks = [RANK[table] for table in order]
        assert ranks == sorted(ranks), (order, statements)
    assert checked >= at_least


def test_an_open_locks_the_bot_first_in_its_preflight_fill_and_settle(paper_bot):
    with CaptureQueriesContext(connection) as captured:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    assert_lock_order(captured, at_least=3)  # preflight, paper fill, settle
    fill = next(t for t in transactions(captured) if "paper_fills" in " ".join(t))
    assert first_touches(fill) == ["bots", "paper_positions"]


def test_a_close_locks_the_bot_before_the_position_in_every_step(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    with CaptureQueriesContext(connection) as captured:
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert_lock_order(captured, at_least=3)
    settle = [t for t in transactions(captured) if writes_a_bots_rows(t)][-1]
    assert first_touches(settle) == ["bots", "orders", "positions"]


def test_a_refused_close_releases_with_the_bot_locked_first(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    PaperPosition.objects.all().delete()  # the paper venue now has nothing to reduce: -2022
    with CaptureQueriesContext(connection) as captured, pytest.raises(OrderNotBooked):
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert_lock_order(captured, at_least=2)  # preflight, release


def test_unknown_outcome_and_recovery_lock_the_bot_first(paper_bot, settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = 1
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 0
    with CaptureQueriesContext(connection) as captured:
        with pytest.raises(OrderNotBooked):
            order_open(
                bot_id=paper_bot.pk, side="long", size_usd="20", venue=LostRequestVenue(paper_bot)
            )
        (outcome,) = recover_in_flight(now=timezone.now() + timedelta(seconds=1))
    assert outcome.action == "released"
    # preflight, mark unknown, recovery's not-found count, release
    assert_lock_order(captured, at_least=4)


def test_the_paper_reconciliation_locks_the_bot_before_its_book(paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    PaperPosition.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        result = paper_reconcile(confirm=True)
    assert result.counts["create"] == 1
    assert_lock_order(captured, at_least=1)


def test_the_bot_lock_is_for_no_key_update_where_the_database_has_it(paper_bot, monkeypatch):
    # SQLite: no lock clause, BEGIN IMMEDIATE holds the database's write lock.
    assert "FOR UPDATE" not in bot_row_lock("id = %s").sql()
    with pytest.raises(RowStatementError, match="needs a transaction"):
        lock_bot(paper_bot.pk)  # a lock outside a transaction would lock nothing
    # PostgreSQL: the weaker lock that lets foreign-key checks (FOR KEY SHARE) through.
    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    monkeypatch.setattr(connection.features, "has_select_for_no_key_update", True)
    assert bot_row_lock("id = %s").sql().endswith(" FOR NO KEY UPDATE")
    monkeypatch.setattr(connection.features, "has_select_for_no_key_update", False)
    assert bot_row_lock("id = %s").sql().endswith(" FOR UPDATE")


def test_archiving_a_closed_position_locks_the_bot_first(paper_bot, alice):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    closed = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    with CaptureQueriesContext(connection) as captured:
        position_archive(position=closed.position, actor=alice)
    assert_lock_order(captured, at_least=1)
