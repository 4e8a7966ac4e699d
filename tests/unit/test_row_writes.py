"""RowWrites: a run of writes, one statement on PostgreSQL, the same rows one by one on SQLite.

The tests run on SQLite, so they prove the one-by-one path writes what the pipeline always wrote
(links and JSON links resolved, an UPDATE that changes no row refused), and read the one
statement PostgreSQL would get (`combined_statement`) without sending it: one statement, each
new row's key drawn from its sequence, links never bound as values.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egis.core.row_writes import RowWrites, combined_statement
from egis.ledger.events import event_row, position_snapshot
from egis.ledger.models import Order, Position, PositionEvent
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _open_run(bot) -> tuple[RowWrites, Position, Order, PositionEvent]:
    position = Position(
        bot=bot,
        symbol=bot.symbol,
        side="long",
        status="open",
        requested_size_usd=Decimal("10"),
        size_usd=Decimal("10"),
        qty=0,
    )
    order = Order(
        client_order_id=f"egis-{bot.pk}-rowwrites",
        bot=bot,
        position=position,
        intent="open",
        side="buy",
        symbol=bot.symbol,
        reduce_only=False,
        requested_qty=Decimal("0.003"),
        status="submitting",
    )
    event = event_row(
        position=position,
        order=order,
        bot_id=bot.pk,
        action="hold",
        after=position_snapshot(position),
        reason="test",
    )
    writes = RowWrites()
    writes.insert(position, links={"opening_order_id": order})
    writes.insert(order, links={"position_id": position})
    writes.insert(event, links={"position_id": position, "order_id": order})
    return writes, position, order, event


def test_one_by_one_resolves_links_as_the_pipeline_always_wrote_them(paper_bot):
    writes, position, order, event = _open_run(paper_bot)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        writes.run()
    kinds = [
        " ".join(re.match(r"(INSERT INTO|UPDATE) (\S+)", q["sql"]).groups())  # type: ignore[union-attr]
        for q in captured.captured_queries
        if not q["sql"].startswith("BEGIN")
    ]
    assert kinds == [
        'INSERT INTO "positions"',
        'INSERT INTO "orders"',
        'UPDATE "positions"',
        'INSERT INTO "position_events"',
    ]
    stored = Position.objects.get(pk=position.pk)
    assert stored.opening_order_id == order.pk == position.opening_order_id
    assert Order.objects.get(pk=order.pk).position_id == position.pk
    stored_event = PositionEvent.objects.get(pk=event.pk)
    assert (stored_event.position_id, stored_event.order_id) == (position.pk, order.pk)


def test_json_link_puts_the_new_key_into_the_snapshot(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00")
    position = opened.position
    order = Order(
        client_order_id=f"egis-{paper_bot.pk}-closing",
        bot=paper_bot,
        position=position,
        intent="close",
        side="sell",
        symbol=position.symbol,
        reduce_only=True,
        requested_qty=position.qty,
        status="submitting",
    )
    event = event_row(
        position=position,
        order=order,
        bot_id=paper_bot.pk,
        action="closing",
        after=position_snapshot(position),
        reason="test",
    )
    writes = RowWrites()
    writes.insert(order)
    writes.update(position, ["closing_order"], links={"closing_order_id": order})
    writes.insert(
        event, links={"order_id": order}, json_links={"after": {"closing_order_id": order}}
    )
    with transaction.atomic():
        writes.run()
    assert Position.objects.get(pk=position.pk).closing_order_id == order.pk
    stored = PositionEvent.objects.get(pk=event.pk)
    assert stored.order_id == order.pk
    assert stored.after["closing_order_id"] == order.pk == event.after["closing_order_id"]


def test_an_update_that_changes_no_row_is_refused(paper_bot):
    writes = RowWrites()
    writes.update(Position(pk=987654321, qty=0), ["qty"])
    with pytest.raises(Position.DoesNotExist), transaction.atomic():
        writes.run()


def test_a_link_must_name_a_row_of_the_run(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00")
    stranger = Order(client_order_id="never-written")
    writes = RowWrites()
    writes.update(opened.position, ["closing_order"], links={"closing_order_id": stranger})
    with pytest.raises(ValueError, match="inserted before"), transaction.atomic():
        writes.run()
    with pytest.raises(ValueError, match="not among the updated fields"):
        RowWrites().update(opened.position, ["qty"], links={"closing_order_id": stranger})


def test_postgresql_gets_one_statement_with_the_keys_drawn_first(paper_bot):
    writes, position, order, event = _open_run(paper_bot)
    sql, params, key_of, counted = combined_statement(writes.steps, "default", connection)
    assert sql.startswith("WITH ids AS (SELECT nextval(")
    assert sql.count("nextval(pg_get_serial_sequence(") == 3
    assert len(re.findall(r"\bINSERT INTO\b", sql)) == 3
    assert sql.count("%s") == len(params)
    assert counted == []
    assert set(key_of) == {id(position), id(order), id(event)}
    # Each link is the other row's drawn key, never a bound value.
    assert sql.count("(SELECT k0 FROM ids)") == 3  # the position: itself, the order, the event
    assert sql.count("(SELECT k1 FROM ids)") == 3  # the order: itself, the position, the event
