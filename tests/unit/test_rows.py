"""The precompiled row statements read and write exactly what the ORM would."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Field, Model, signals
from django.test.utils import CaptureQueriesContext

from egis.bots.models import Bot
from egis.core.row_binds import _Bind
from egis.core.row_saves import row_insert, row_update
from egis.core.rows import (
    RowPair,
    RowQuery,
    RowStatementError,
    RowSum,
)
from egis.ledger.models import Order, Position, PositionEvent
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


def _values(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.fixture
def opened(paper_bot, bob):
    return order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)


def test_row_query_reads_every_column_as_the_orm_does(opened, paper_bot):
    for model, pk in (
        (Bot, paper_bot.pk),
        (Position, opened.position.pk),
        (Order, opened.order.pk),
    ):
        row = RowQuery(model, "id = %s").one(pk)
        assert row is not None
        assert _values(row) == _values(model.objects.get(pk=pk))
        assert row._state.adding is False
        assert row._state.db == "default"
    event = PositionEvent.objects.filter(position_id=opened.position.pk).first()
    assert event is not None
    row = RowQuery(PositionEvent, "id = %s").one(event.pk)
    assert row is not None and _values(row) == _values(event)
    assert isinstance(row.after, dict) and row.after["status"] == "open"


def test_row_pair_reads_a_row_and_the_row_its_key_names(opened, monkeypatch):
    pair = RowPair(Order, "position", "a.id = %s", lock=True)
    with pytest.raises(RowStatementError, match="needs a transaction"):
        pair.one(opened.order.pk)
    with transaction.atomic():
        found = pair.one(opened.order.pk)
        assert pair.one(opened.order.pk + 1000) is None
    assert found is not None
    order, position = found
    assert _values(order) == _values(Order.objects.get(pk=opened.order.pk))
    assert _values(position) == _values(Position.objects.get(pk=opened.position.pk))
    assert "FOR UPDATE" not in pair.sql()
    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    assert RowPair(Order, "position", "a.id = %s", lock=True).sql().endswith(" FOR UPDATE")


def test_row_query_converts_money_exactly(opened):
    position = RowQuery(Position, "id = %s").one(opened.position.pk)
    assert position is not None
    assert isinstance(position.size_usd, Decimal)
    assert position.size_usd == opened.position.size_usd
    assert position.entry_price == opened.position.entry_price


def test_row_query_none_many_subset_and_order(opened, paper_bot, bob):
    assert RowQuery(Bot, "id = %s").one(paper_bot.pk + 1000) is None
    second = order_open(bot_id=paper_bot.pk, side="long", size_usd="20.00", actor=bob)
    by_bot = RowQuery(Position, "bot_id = %s", order_by="id DESC")
    with pytest.raises(Position.MultipleObjectsReturned):
        by_bot.one(paper_bot.pk)
    assert [p.pk for p in by_bot.all(paper_bot.pk)] == [second.position.pk, opened.position.pk]
    first = RowQuery(Position, "bot_id = %s", fields=["status"], order_by="id", limit=1)
    (only,) = first.all(paper_bot.pk)
    assert only.pk == opened.position.pk and only.status == "open"
    assert "size_usd" in only.get_deferred_fields()


@pytest.mark.parametrize("bad", [Decimal("1"), 1.5, None, b"x"])
def test_row_query_refuses_parameters_it_cannot_bind_exactly(paper_bot, bad):
    with pytest.raises(RowStatementError, match="int, str or bool"):
        RowQuery(Bot, "id = %s").one(bad)


def test_an_int_no_column_can_hold_matches_nothing_and_is_not_sent(paper_bot, opened):
    with CaptureQueriesContext(connection) as queries:
        assert RowQuery(Bot, "id = %s").one(2**63) is None
        assert RowQuery(Bot, "id = %s").all(-(2**63) - 1) == []
        assert RowSum(Position, "size_usd", "bot_id = %s").value(10**30) is None
    assert len(queries) == 0
    with transaction.atomic():
        assert RowPair(Order, "position", "a.id = %s", lock=True).one(2**64) is None
    assert RowQuery(Bot, "id = %s").one(paper_bot.pk) is not None


def test_a_locking_read_outside_a_transaction_is_refused(paper_bot):
    with pytest.raises(RowStatementError, match="needs a transaction"):
        RowQuery(Bot, "id = %s", lock=True).one(paper_bot.pk)
    with transaction.atomic():
        assert RowQuery(Bot, "id = %s", lock=True).one(paper_bot.pk) is not None


def test_lock_adds_for_update_only_where_the_database_has_it(monkeypatch):
    assert "FOR UPDATE" not in RowQuery(Bot, "id = %s", lock=True).sql()
    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    assert RowQuery(Bot, "id = %s", lock=True).sql().endswith(" FOR UPDATE")
    assert "FOR UPDATE" not in RowQuery(Bot, "id = %s").sql()


def test_row_insert_writes_what_create_writes(opened, bob):
    template = opened.order
    common = {
        "bot_id": template.bot_id,
        "position_id": template.position_id,
        "intent": "open",
        "side": "buy",
        "symbol": "ETHUSDT",
        "requested_qty": Decimal("0.012"),
        "requested_usd": Decimal("35.21"),
        "reference_price": Decimal("2934.56"),
        "status": "submitting",
        "venue_response": {"nested": ["x", 1]},
        "created_by": bob,
    }
    by_rows = row_insert(Order(client_order_id="egis-rows-a", **common))
    by_orm = Order.objects.create(client_order_id="egis-rows-b", **common)
    assert by_rows.pk is not None and by_rows._state.adding is False
    a, b = _values(Order.objects.get(pk=by_rows.pk)), _values(Order.objects.get(pk=by_orm.pk))
    for key in ("id", "client_order_id", "created_at", "updated_at"):
        a.pop(key), b.pop(key)
    assert a == b
    stored = Order.objects.get(pk=by_rows.pk)
    assert stored.created_at is not None and stored.created_at == by_rows.created_at


def test_row_insert_refuses_a_saved_row_and_a_model_with_save_receivers(opened):
    with pytest.raises(RowStatementError, match="already has a primary key"):
        row_insert(opened.position)

    def receiver(**_: object) -> None:
        raise AssertionError("must not be reached")

    signals.post_save.connect(receiver, sender=PositionEvent)
    try:
        event = PositionEvent(bot_id=opened.position.bot_id, action="test")
        with pytest.raises(RowStatementError, match="signal receivers"):
            row_insert(event)
    finally:
        signals.post_save.disconnect(receiver, sender=PositionEvent)
    assert row_insert(PositionEvent(bot_id=opened.position.bot_id, action="test")).pk


def test_row_update_writes_only_the_named_fields(opened):
    order = Order.objects.get(pk=opened.order.pk)
    before = order.updated_at
    order.error = "changed"
    order.symbol = "NOT-WRITTEN"
    row_update(order, ["error", "updated_at"])
    stored = Order.objects.get(pk=order.pk)
    assert stored.error == "changed"
    assert stored.symbol == "ETHUSDT"
    assert stored.updated_at > before
    order.pk = order.pk + 1000
    with pytest.raises(Order.DoesNotExist):
        row_update(order, ["error"])


@pytest.mark.parametrize(
    "model", [Position, Order, PositionEvent, PaperFill, PaperPosition], ids=lambda m: m.__name__
)
def test_the_save_fast_paths_bind_what_get_db_prep_save_binds(model):
    """row_insert/row_update skip get_db_prep_save for None and for values a field binds
    unchanged: for every field of every model they write, that must be exactly what the field
    would have bound, and only Field.pre_save (a plain getattr) may be skipped."""
    samples = {int: 7, str: "egis", bool: True}
    for field in model._meta.concrete_fields:
        bind = _Bind(field)
        if not bind.json:
            assert field.get_db_prep_save(None, connection) is None, field
        if bind.passthrough is not None:
            value = samples[bind.passthrough]
            assert field.get_db_prep_save(value, connection) == value, field
        if not bind.pre_save:
            assert type(field).pre_save is Field.pre_save, field


def test_row_sum_is_exact_and_none_when_empty(paper_bot, bob):
    total = RowSum(Position, "size_usd", "bot_id = %s AND status = %s")
    assert total.value(paper_bot.pk, "open") is None
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10.10", actor=bob)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10.20", actor=bob)
    expected = sum(
        (p.size_usd for p in Position.objects.filter(bot=paper_bot, status="open")), Decimal(0)
    )
    assert total.value(paper_bot.pk, "open") == expected
    assert isinstance(expected, Decimal)


def test_row_sum_adds_more_sums_to_the_same_statement(paper_bot, bob):
    sums = RowSum(Position, "size_usd", "bot_id = %s AND status = %s", also=("1", "qty"))
    assert sums.sums(paper_bot.pk, "open") == (None, None, None)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10.10", actor=bob)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10.20", actor=bob)
    rows = list(Position.objects.filter(bot=paper_bot, status="open"))
    with CaptureQueriesContext(connection) as queries:
        total, count, qty_units = sums.sums(paper_bot.pk, "open")
    assert len(queries) == 1
    assert total == sum((p.size_usd for p in rows), Decimal(0)) == sums.value(paper_bot.pk, "open")
    assert count == 2
    assert qty_units == sum(int(p.qty.scaleb(8)) for p in rows)  # raw: the scale is the caller's


def test_the_budget_sum_reads_the_partial_index_of_open_rows(paper_bot):
    from egis.ledger.budget import _OPEN_SIZE_SUM

    sql = _OPEN_SIZE_SUM.sql()
    assert 'INDEXED BY "positions_open_by_bot"' in sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, [paper_bot.pk])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "INDEX positions_open_by_bot" in plan
    # The shown holds are summed in the same statement, on the same index.
    assert "SUM((size_usd + 999999) / 1000000)" in sql
    with pytest.raises(RowStatementError, match="no index 'nope'"):
        RowSum(Position, "size_usd", "bot_id = %s", sqlite_index="nope")


def test_row_statements_go_through_djangos_cursor(paper_bot):
    query = RowQuery(Bot, "id = %s")
    query.one(paper_bot.pk)  # the reused cursor exists now; logging must still see every statement
    with CaptureQueriesContext(connection) as queries:
        query.one(paper_bot.pk)
    assert len(queries) == 1
    assert 'FROM "bots" WHERE id = ' in queries[0]["sql"]
    seen: list[str] = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        query.one(paper_bot.pk)
    assert len(seen) == 1


def test_the_reused_cursor_follows_the_connection(paper_bot):
    query = RowQuery(Bot, "id = %s")
    assert query.one(paper_bot.pk) is not None
    connection.close()
    assert query.one(paper_bot.pk) is not None  # a new connection, a new cursor
    # Nothing is left running on the shared cursor: an autocommit insert ends its transaction.
    row_insert(PositionEvent(bot_id=paper_bot.pk, action="test"))
    assert connection.connection.in_transaction is False
    assert RowSum(Position, "size_usd", "bot_id = %s").value(paper_bot.pk) is None
    assert connection.connection.in_transaction is False
