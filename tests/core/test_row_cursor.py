"""Row statements take SQLite's own cursor only when nothing watches them, and behave as
through Django's cursor: same results, Django's error classes, the transaction rules."""

from __future__ import annotations

import itertools
import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from django.db.backends.utils import CursorWrapper
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext, override_settings

from egis.bots.models import Bot
from egis.core.row_cursor import qmark
from egis.core.row_saves import row_insert, row_update
from egis.core.rows import RowQuery, RowSum
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def opened(paper_bot, bob):
    return order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)


@pytest.fixture
def django_executions(monkeypatch) -> list[str]:
    """Every statement that goes through Django's cursor (CursorWrapper.execute)."""
    seen: list[str] = []
    original = CursorWrapper.execute

    def execute(self: Any, sql: str, params: Any = None) -> Any:
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    return seen


_ORDER = RowQuery(Order, "id = %s")
_COPIES = itertools.count(1)


def _statements(opened: Any) -> tuple[Any, ...]:
    """A read, a sum, an insert and an update, as the pipeline runs them; what they return."""
    position = RowQuery(Position, "id = %s").one(opened.position.pk)
    assert position is not None
    total = RowSum(Position, "size_usd", "bot_id = %s").value(opened.position.bot_id)
    order = _ORDER.one(opened.order.pk)
    assert order is not None
    order.error = "seen"
    row_update(order, ["error"])
    copy = _ORDER.one(opened.order.pk)
    assert copy is not None
    copy.pk = None
    copy.client_order_id = f"egis-copy-{next(_COPIES)}"
    inserted = row_insert(copy)
    return position.size_usd, total, inserted.pk is not None


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a FROM t WHERE b = %s",
        "SELECT a FROM t WHERE b = %s AND c = %s",
        "SELECT a FROM t WHERE b LIKE '%%x%%' AND c = %s",
        "SELECT '%%s', %s",
        "SELECT 100 %% 7 = %s",
        "SELECT a FROM t",
        "SELECT '%%%s'",
    ],
)
def test_qmark_is_what_djangos_sqlite_cursor_sends(sql):
    cursor = sqlite3.connect(":memory:").cursor(factory=SQLiteCursorWrapper)
    assert qmark(sql) == cursor.convert_query(sql)


def test_statements_take_the_drivers_cursor_when_nothing_watches(opened, django_executions):
    fast = _statements(opened)
    assert django_executions == []
    stored = Position.objects.get(pk=opened.position.pk).size_usd
    assert fast == (stored, stored, True) and isinstance(stored, Decimal)
    assert Order.objects.get(pk=opened.order.pk).error == "seen"


def test_query_capture_debug_and_execute_wrappers_still_see_every_statement(
    opened, django_executions
):
    with CaptureQueriesContext(connection) as queries:
        _statements(opened)
    assert len(django_executions) == len(queries.captured_queries) == 6
    assert any(q["sql"].startswith('UPDATE "orders" SET "error" = ') for q in queries)
    django_executions.clear()
    with override_settings(DEBUG=True):
        connection.queries_log.clear()
        _statements(opened)
        assert len(connection.queries) == len(django_executions) == 6
    django_executions.clear()
    wrapped: list[str] = []

    def spy(execute, sql, params, many, context):
        wrapped.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        _statements(opened)
    assert len(wrapped) == len(django_executions) == 6


def test_a_literal_percent_reads_the_same_both_ways(paper_bot, django_executions):
    Bot.objects.filter(pk=paper_bot.pk).update(name="100% long")
    django_executions.clear()
    query = RowQuery(Bot, "id = %s AND name LIKE '%%\\%%%%' ESCAPE '\\'")
    fast = query.one(paper_bot.pk)
    assert django_executions == []
    with CaptureQueriesContext(connection):
        logged = query.one(paper_bot.pk)
    assert fast is not None and logged is not None
    assert fast.name == logged.name == "100% long"
    assert len(django_executions) == 1


def test_driver_errors_become_djangos_classes(opened, django_executions):
    duplicate = _ORDER.one(opened.order.pk)
    assert duplicate is not None
    duplicate.pk = None  # same client_order_id: the unique constraint refuses it
    with pytest.raises(IntegrityError) as caught:
        row_insert(duplicate)
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert connection.errors_occurred is False  # as Django: an IntegrityError leaves it usable
    with pytest.raises(OperationalError, match="no such column") as bad:
        RowQuery(Bot, "no_such_column = %s").one(1)
    assert isinstance(bad.value.__cause__, sqlite3.OperationalError)
    assert connection.errors_occurred is True
    connection.errors_occurred = False
    assert django_executions == []
    assert RowQuery(Bot, "id = %s").one(opened.order.bot_id) is not None


def test_a_refused_insert_inside_a_transaction_is_caught_as_djangos(opened):
    """What the signal dedupe relies on: IntegrityError in a savepoint, the transaction goes on."""
    duplicate = Order.objects.get(pk=opened.order.pk)
    duplicate.pk = None
    with transaction.atomic():
        try:
            with transaction.atomic():
                row_insert(duplicate)
        except IntegrityError:
            pass
        assert RowQuery(Order, "id = %s").one(opened.order.pk) is not None


def test_a_broken_transaction_refuses_the_next_statement(opened, django_executions):
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            RowQuery(Bot, "id = %s").one(opened.order.bot_id)
        with pytest.raises(TransactionManagementError):
            row_update(Order(pk=opened.order.pk, error="x"), ["error"])
    assert django_executions == ["BEGIN IMMEDIATE"]  # the atomic block's own
    assert Order.objects.get(pk=opened.order.pk).error != "x"


def test_a_new_connection_gets_a_new_driver_cursor(paper_bot, django_executions):
    query = RowQuery(Bot, "id = %s")
    assert query.one(paper_bot.pk) is not None
    first = connection._egis_row_cursor
    connection.close()
    assert query.one(paper_bot.pk) is not None
    second = connection._egis_row_cursor
    assert second is not first and second.raw is connection.connection
    assert second.driver is not None and second.driver.connection is connection.connection
    assert connection.connection.in_transaction is False
    assert django_executions == []
