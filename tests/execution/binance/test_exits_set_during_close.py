"""An exit set while a Binance close is on its way never stays resting on the closed position.

A close cancels the position's exits at Binance first (egis.exits.hooks.exits_before_close),
outside any transaction, then its preflight marks the position closing under the bot lock.
Someone who sets a stop in between (the page, the API, a signal, in another process) passed
every check (the position was not closing yet) and placed it at Binance. If the preflight does
not look again, the close goes out and the new reduce-only stop keeps resting on a closed
position, where it can fire on another bot's share of the netted account + symbol."""

from decimal import Decimal

import pytest

from egis.exits.hooks import exits_before_close as real_exits_before_close
from egis.exits.rules import LevelSpec
from egis.exits.services import exits_set
from egis.ledger.errors import OrderRefused
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close
from tests.support.binance_exits import exits_of, open_long

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


def test_a_stop_set_between_the_cancel_and_the_preflight_stops_the_close(
    binance_bot, fake_binance, monkeypatch
):
    position = open_long(binance_bot)

    def cancel_then_someone_sets_a_stop(bot, position_id, **kwargs):
        real_exits_before_close(bot, position_id, **kwargs)
        # Another process sets a stop now: the position is not closing yet, so it is allowed.
        exits_set(
            bot_id=bot.pk, position_id=position_id, changes={"stop_loss": LevelSpec(price=D("570"))}
        )

    monkeypatch.setattr("egis.ledger.pipeline.exits_before_close", cancel_then_someone_sets_a_stop)
    closes_before = len(fake_binance.order_posts)
    with pytest.raises(OrderRefused):
        order_close(bot_id=binance_bot.pk, position_id=position.pk)

    # Nothing was sent; the position is open and protected by the stop just set.
    assert len(fake_binance.order_posts) == closes_before
    assert Position.objects.get(pk=position.pk).status == "open"
    stop = exits_of(position)["stop_loss"]
    assert stop.status == "resting"
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [stop.client_algo_id]

    # Asked again, the close cancels it first: nothing rests on the closed position.
    monkeypatch.undo()
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "closed"
    assert exits_of(position)["stop_loss"].status == "cancelled"
    assert fake_binance.open_algos() == []
