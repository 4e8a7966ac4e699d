"""How many statements an order costs: pinned, so a change cannot add round trips silently.

Counted on the statements the real pipeline sends (paper venue, a bot that has traded before).
Each of an order's three transactions (preflight, paper fill, settle) reads what it must lock
and check, then ends with its writes, which go through one egis.core.row_writes run: one
statement on PostgreSQL (docs/BENCHMARKS.md, issue 14), the same rows one by one here
(`current_run` tells which statements belong to a run). So the PostgreSQL count is derived from
this one: every statement but SQLite's `BEGIN IMMEDIATE`, each run counted once. A write added
to these transactions belongs in their run: outside it, it is one more round trip on
PostgreSQL, and this test fails.
"""

from collections.abc import Callable

import pytest
from django.db import connection

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
    # SQLite: 24 and 23 statements, each order in three transactions. PostgreSQL: 15 and 15
    # (20 and 17 before the writes of each transaction became one statement, 14 and 12 with that
    # alone). Added since, outside the runs of writes: the fill's read of its owner's
    # notification settings (egis.notifications.notify_in; both), the close's read of the
    # position's live exits (issue 12) and its per-bot closed totals increment (issue 13).
    assert open_shape == (24, 3, 15)
    assert close_shape == (23, 3, 15)
