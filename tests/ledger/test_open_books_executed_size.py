"""Executed size replaces requested size (journal section 3, invariant 3)."""

from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_dollars_on_a_coarse_step_books_the_executed_size(paper_bot):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")

    position = Position.objects.get(pk=result.position.pk)
    order = Order.objects.get(pk=result.order.pk)
    # 10 / 2934.56 = 0.00340... rounded down to the 0.001 step
    assert order.requested_qty == Decimal("0.003")
    assert order.executed_qty == Decimal("0.003")
    assert position.requested_size_usd == Decimal("10")
    assert position.size_usd == Decimal("8.80368")
    assert position.size_usd == position.qty * position.entry_price
    assert order.status == "filled"
    assert budget.get_budget(paper_bot).available_usd == Decimal("91.19632")
