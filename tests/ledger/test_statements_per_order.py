"""How many statements an order costs: pinned, so a change cannot add round trips silently.

Counted on the statements the real pipeline sends (paper venue, a bot that has traded before).
Each of an order's three transactions (preflight, paper fill, settle) reads what it must lock
and check, then ends with its writes, which go through one egis.core.row_writes run: one
statement on PostgreSQL (docs/BENCHMARKS.md, issue 14), the same rows one by one here
(`current_run` tells which statements belong to a run). So the PostgreSQL count is derived from
this one: every statement but SQLite's `BEGIN IMMEDIATE`, each run counted once, with the lock
reads that only PostgreSQL needs sent too (egis.bots.locks.every_lock_read_sent: the fill's and
settle's bot lock, which SQLite's `BEGIN IMMEDIATE` makes needless there). A write added
to these transactions belongs in their run: outside it, it is one more round trip on
PostgreSQL, and this test fails.
"""

from collections.abc import Callable

import pytest
from django.db import connection

from egis.bots.locks import every_lock_read_sent
from egis.core.row_writes import current_run
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _statements(fn: Callable[[], object]) -> tuple[int, int, int]:
    """(statements sent here, transactions, statements PostgreSQL gets): there, a RowWrites run
    is one statement, and there is no `BEGIN IMMEDIATE` (psycopg's BEGIN is not a statement
    either)."""
    sent: list[tuple[str, int | None]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append((sql, current_run.get()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    begins = sum(1 for sql, _ in sent if sql.upper().startswith("BEGIN"))
    runs = {run for _, run in sent if run is not None}
    alone = sum(1 for sql, run in sent if run is None and not sql.upper().startswith("BEGIN"))
    return len(sent), begins, alone + len(runs)


def _shapes(fn: Callable[[], object]) -> tuple[int, int, int]:
    """(statements on SQLite, transactions, statements on PostgreSQL), from two runs of `fn`."""
    sqlite, begins, _ = _statements(fn)
    with every_lock_read_sent():
        _, _, postgresql = _statements(fn)
    return sqlite, begins, postgresql


def test_an_open_and_a_close_cost_what_they_cost(paper_bot, bob):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=first.position.pk, actor=bob)
    opened: list = []
    open_shape = _shapes(
        lambda: opened.append(
            order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
        )
    )
    close_shape = _shapes(
        lambda: order_close(bot_id=paper_bot.pk, position_id=opened.pop().position.pk, actor=bob)
    )
    # SQLite: 21 and 19 statements, each order in three transactions. PostgreSQL: 15 and 13.
    # History: 20 and 17 on PostgreSQL before the writes of each transaction became one
    # statement, 14 and 12 with that alone; then the fill's read of its owner's notification
    # settings (both), the close's read of the position's live exits (issue 12) and its per-bot
    # closed totals increment (issue 13) made it 24/23 on SQLite and 15/15 on PostgreSQL. Then
    # (issue 11) the fill and settle stopped sending their bot read on SQLite (-2 each), settle
    # reads its order and position with the bot's daily loss limit, whether its owner set
    # notifications up (no notice read when not) and whether the position has live exits (no
    # exits read when not) in one statement (egis.ledger.settle_read), and the totals became
    # one upsert (an INSERT after the UPDATE on a bot's first close before).
    assert open_shape == (21, 3, 14)
    assert close_shape == (19, 3, 13)


def test_on_sqlite_the_fill_and_settle_send_no_bot_read(paper_bot, bob):
    """Where there are no row locks, the fill's and settle's bot read locked nothing (each runs
    in its own `BEGIN IMMEDIATE` transaction, which holds the database's write lock): it is not
    sent there. The preflight still reads (and, on PostgreSQL, locks) the bot first."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    transactions: list[list[str]] = []
    for sql in sent:
        if sql.upper().startswith("BEGIN"):
            assert sql.upper() == "BEGIN IMMEDIATE"
            transactions.append([])
        elif transactions:
            transactions[-1].append(sql)
    preflight, fill, settle = transactions
    assert '"bots"' in preflight[0]
    assert fill[0].startswith('SELECT "id", "bot_id", "symbol"') and '"paper_positions"' in fill[0]
    assert settle[0].startswith('SELECT a."id"') and '"orders" a' in settle[0]
