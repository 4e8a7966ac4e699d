"""Ids no database column can hold are "not found" refusals, never a driver overflow."""

import pytest

from egis.ledger.errors import BotNotFound, PositionNotFound
from egis.ledger.models import Order
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_position_id_beyond_64_bits_is_not_found(paper_bot):
    with pytest.raises(PositionNotFound):
        order_close(bot_id=paper_bot.pk, position_id=10**20)
    assert not Order.objects.exists()


def test_a_bot_id_beyond_64_bits_is_not_found(paper_bot):
    with pytest.raises(BotNotFound):
        order_open(bot_id=10**20, side="long", size_usd="10")
    with pytest.raises(BotNotFound):
        order_close(bot_id=2**63, position_id=1)
