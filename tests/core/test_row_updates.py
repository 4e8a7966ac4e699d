"""RowUpdate writes what QuerySet.filter(...).update(...) writes, and counts the same rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egis.core.row_updates import RowUpdate
from egis.core.rows import RowStatementError
from egis.ledger.models import Order, OrderStatus
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)

_SET = RowUpdate(
    Order,
    ["status", "error", "avg_price", "venue_response", "settled_at", "reference_price"],
    "id = %s AND status = %s",
)


_COLUMNS = [f.attname for f in _SET.fields] + ["updated_at"]


def _stored(pk: int) -> dict[str, Any]:
    row: dict[str, Any] = Order.objects.filter(pk=pk).values(*_COLUMNS).get()
    return row


@pytest.fixture
def two_orders(paper_bot, bob) -> tuple[int, int]:
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob).order
    second = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob).order
    Order.objects.filter(pk=second.pk).update(**_stored(first.pk))
    assert _stored(first.pk) == _stored(second.pk)
    return first.pk, second.pk


def test_the_same_rows_as_queryset_update(two_orders):
    ours, theirs = two_orders
    status = Order.objects.get(pk=ours).status
    before = Order.objects.filter(pk=ours).values().get()
    now = timezone.now()
    values = [OrderStatus.FAILED, "gone", Decimal("2934.56"), {"a": [1, None]}, now, None]
    with CaptureQueriesContext(connection) as queries:
        assert _SET.run(values, ours, status) == 1
    assert len(queries) == 1
    assert (
        Order.objects.filter(pk=theirs, status=status).update(
            status=OrderStatus.FAILED,
            error="gone",
            avg_price=Decimal("2934.56"),
            venue_response={"a": [1, None]},
            settled_at=now,
            reference_price=None,
        )
        == 1
    )
    assert _stored(ours) == _stored(theirs)
    assert _stored(ours)["updated_at"] == before["updated_at"]  # no auto_now, as update()
    after = Order.objects.filter(pk=ours).values().get()
    assert {k: v for k, v in after.items() if k not in _COLUMNS} == {
        k: v for k, v in before.items() if k not in _COLUMNS
    }
    # The compare fails now (the status changed): no row, as update() says.
    assert _SET.run(values, ours, status) == 0
    assert _SET.run(values, 2**63, status) == 0  # matches no row, not sent


def test_plain_values_and_parameters_only(two_orders):
    ours, _ = two_orders
    with pytest.raises(RowStatementError, match="plain values only"):
        _SET.run([F("status"), "x", None, {}, None, None], ours, "filled")
    with pytest.raises(RowStatementError, match="6 values expected"):
        _SET.run(["failed"], ours, "filled")
    with pytest.raises(RowStatementError, match="int, str or bool"):
        _SET.run(["failed", "x", None, {}, None, None], Decimal(1), "filled")
    with pytest.raises(ValueError, match="more than 8 decimal places"):
        _SET.run(["failed", "x", Decimal("1.123456789"), {}, None, None], ours, "filled")


def test_an_error_inside_a_transaction_marks_it_for_rollback_as_update_does(two_orders):
    ours, theirs = two_orders
    taken = Order.objects.get(pk=theirs).client_order_id
    keys = RowUpdate(Order, ["client_order_id"], "id = %s")
    for update in (
        lambda: keys.run([taken], ours),
        lambda: Order.objects.filter(pk=ours).update(client_order_id=taken),
    ):
        with transaction.atomic():
            with pytest.raises(IntegrityError):
                update()
            assert connection.needs_rollback is True
            transaction.set_rollback(False)
    assert Order.objects.get(pk=ours).client_order_id != taken
