"""How many statements an order costs: pinned, so a change cannot add round trips silently.

Counted on the statements the real pipeline sends (paper venue, a bot that has traded before).
Each of an order's three transactions (preflight, paper fill, settle) reads what it must lock
and check, then ends with its writes, which go through one egis.core.row_writes run: one
statement on PostgreSQL (docs/BENCHMARKS.md, issue 14), the same rows one by one here. So the
PostgreSQL count is derived from this one: every statement but SQLite's `BEGIN IMMEDIATE`,
with each transaction's closing run of writes counted once.
"""

import re
from collections.abc import Callable

import pytest
from django.db import connection

from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _shape(sent: list[tuple[str, bool]]) -> tuple[int, int, int]:
    """(statements sent here, transactions, statements PostgreSQL gets) from (sql, in a
    transaction) pairs."""
    transactions: list[list[str]] = []
    postgres = 0
    for sql, atomic in sent:
        if sql.upper().startswith("BEGIN"):
            transactions.append([])
        elif atomic:
            transactions[-1].append(sql)
        else:
            postgres += 1
    for statements in transactions:
        writes = [bool(_WRITE.match(sql)) for sql in statements]
        first_write = writes.index(True)
        # All writes close the transaction (nothing is read after them): one run, one statement.
        assert all(writes[first_write:]), statements
        postgres += first_write + 1
    return len(sent), len(transactions), postgres


def _statements(fn: Callable[[], object]) -> tuple[int, int, int]:
    sent: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return _shape(sent)


def test_an_open_and_a_close_cost_what_they_cost(paper_bot, bob):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=first.position.pk, actor=bob)
    opened: list = []
    open_shape = _statements(
        lambda: opened.append(
            order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
        )
    )
    close_shape = _statements(
        lambda: order_close(bot_id=paper_bot.pk, position_id=opened[0].position.pk, actor=bob)
    )
    # SQLite: 24 and 21 statements, each order in three transactions. PostgreSQL: 15 and 13
    # (20 and 17 before the writes of each transaction became one statement; +1 each since the
    # fill reads its owner's notification settings in settle, egis.notifications.notify_in).
    assert open_shape == (24, 3, 15)
    assert close_shape == (21, 3, 13)
