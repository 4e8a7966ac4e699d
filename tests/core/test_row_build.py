"""Instances built for rows without Model.__init__ are the instances Model.from_db builds."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.db import connection, models
from django.db.models import Model
from django.db.models.signals import post_init, pre_init
from django.test.utils import isolate_apps

from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.core.row_build import build, builder
from egis.core.row_cursor import ROWS, run
from egis.core.rows import RowPair, RowQuery
from egis.ledger.models import Order, Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def closed(paper_bot, bob):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk, actor=bob)
    return opened


def _both_ways(query: RowQuery[Any], pk: int) -> tuple[Model, Model]:
    """The row of `pk` built by Model.from_db and by build, from the same converted values."""
    compiled = query._compile("default")
    (row,) = run(connection, compiled.sql, None, [pk], ROWS)
    values = compiled.convert(row, connection)
    model = query.model
    plan = builder(model)
    assert plan is not None, model
    by_init = model.from_db("default", compiled.attnames, list(values))
    direct = build(plan, model, "default", compiled.attnames, list(values))
    return by_init, direct


def _same(by_init: Model, direct: Model) -> None:
    assert type(direct) is type(by_init)
    mine, theirs = dict(direct.__dict__), dict(by_init.__dict__)
    assert list(mine) == list(theirs)  # the same attributes, set in the same order
    state, their_state = mine.pop("_state"), theirs.pop("_state")
    assert mine == theirs
    assert {k: type(v) for k, v in mine.items()} == {k: type(v) for k, v in theirs.items()}
    assert type(state) is type(their_state) and vars(state) == vars(their_state)
    assert state.adding is False and state.db == "default"
    assert direct.get_deferred_fields() == by_init.get_deferred_fields()
    assert direct == by_init and hash(direct) == hash(by_init)
    copied, their_copy = copy.deepcopy(direct), copy.deepcopy(by_init)
    assert vars(copied._state) == vars(their_copy._state) and copied == their_copy


def _rows(closed: Any) -> list[tuple[type[Model], int]]:
    fill = PaperFill.objects.order_by("id").first()
    book = PaperPosition.objects.order_by("id").first()
    event = PositionEvent.objects.filter(order__isnull=False).order_by("id").first()
    assert fill is not None and book is not None and event is not None
    return [
        (Bot, closed.position.bot_id),
        (Position, closed.position.pk),
        (Order, closed.order.pk),
        (PositionEvent, event.pk),
        (PaperFill, fill.pk),
        (PaperPosition, book.pk),
    ]


def test_every_column_of_every_hot_model_is_built_as_from_db_builds_it(closed):
    for model, pk in _rows(closed):
        _same(*_both_ways(RowQuery(model, "id = %s"), pk))


def test_a_row_with_null_keys_and_a_subset_of_columns(closed, bob):
    event = PositionEvent.objects.create(bot_id=closed.position.bot_id, action="test")
    assert event.order_id is None and event.position_id is None
    _same(*_both_ways(RowQuery(PositionEvent, "id = %s"), event.pk))
    # Only keys that are NULL: no fields cache, as Model.__init__ leaves it.
    _, direct = _both_ways(RowQuery(PositionEvent, "id = %s", fields=["action"]), event.pk)
    assert "fields_cache" not in vars(direct._state)
    # Fields named out of the model's order still land on their own attributes.
    subset = RowQuery(Position, "id = %s", fields=["status", "bot", "size_usd"])
    by_init, direct = _both_ways(subset, closed.position.pk)
    _same(by_init, direct)
    assert direct.status == "closed" and direct.bot_id == closed.position.bot_id
    assert "fields_cache" in vars(direct._state)


def test_deferred_fields_load_on_access_as_from_db_leaves_them(closed):
    query = RowQuery(Position, "id = %s", fields=["status"])
    by_init, direct = _both_ways(query, closed.position.pk)
    stored = Position.objects.get(pk=closed.position.pk)
    for instance in (by_init, direct):
        assert "size_usd" in instance.get_deferred_fields()
        assert instance.size_usd == stored.size_usd  # one query loads it
        assert "size_usd" not in instance.get_deferred_fields()
        assert instance.closed_at == stored.closed_at
    assert direct.__dict__.keys() == by_init.__dict__.keys()


def test_refresh_save_and_foreign_keys_behave_the_same(closed, paper_bot, bob):
    other = bot_create(owner=bob, name="other", venue="paper", symbol="ETHUSDT", budget_usd="50")
    for n, instance in enumerate(_both_ways(RowQuery(Order, "id = %s"), closed.order.pk)):
        Order.objects.filter(pk=closed.order.pk).update(error=f"from the db {n}")
        instance.refresh_from_db()
        assert instance.error == f"from the db {n}"
        instance.error = f"saved {n}"
        instance.save(update_fields=["error"])
        assert Order.objects.get(pk=closed.order.pk).error == f"saved {n}"
        instance.error = f"saved in full {n}"
        instance.save()  # an UPDATE: the instance is not "adding"
        assert Order.objects.filter(client_order_id=instance.client_order_id).count() == 1
        instance.validate_unique()  # its own row is not a duplicate of itself
        bot = instance.bot
        assert bot.pk == paper_bot.pk and instance.bot is bot  # cached by the descriptor
        instance.bot_id = other.pk  # clears the cached bot, as for any instance
        assert instance.bot.pk == other.pk
        instance.position = closed.position
        assert instance.position_id == closed.position.pk


def test_row_pair_builds_both_rows_directly(closed):
    from django.db import transaction

    with transaction.atomic():
        pair = RowPair(Order, "position", "a.id = %s", lock=True).one(closed.order.pk)
    assert pair is not None
    order, position = pair
    _same(Order.objects.get(pk=order.pk), order)
    _same(Position.objects.get(pk=position.pk), position)


def test_an_init_receiver_makes_rows_go_through_from_db(closed):
    seen: list[Any] = []

    def on_init(sender: Any, **kwargs: Any) -> None:
        seen.append(kwargs.get("instance"))

    for signal in (pre_init, post_init):
        signal.connect(on_init, sender=Order)
        try:
            assert builder(Order) is None
            assert builder(Position) is not None
            order = RowQuery(Order, "id = %s").one(closed.order.pk)
            assert order is not None
            assert len(seen) == 1 and (signal is pre_init or seen[0] is order)
        finally:
            signal.disconnect(on_init, sender=Order)
        seen.clear()
    assert builder(Order) is not None


@isolate_apps("egis.ledger")
def test_a_model_with_its_own_init_or_attribute_setter_goes_through_from_db():
    class OwnInit(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "ledger"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.seen = True

    class Named(models.Model):
        label = models.CharField(max_length=10)

        class Meta:
            app_label = "ledger"

    class Described(models.Model):
        label = models.CharField(max_length=10)

        class Meta:
            app_label = "ledger"

    Described.label = property(lambda self: "x", lambda self, value: None)  # type: ignore[assignment]

    assert builder(OwnInit) is None and builder(Described) is None
    assert builder(Named) is not None
    built = build(builder(OwnInit), OwnInit, "default", ["id", "name"], [1, "a"])
    assert built.seen is True and built.name == "a" and built._state.adding is False
