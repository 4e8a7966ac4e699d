"""A hand close on Binance cancels the position's take-profit and stop-loss at the exchange
first: each audit line names its exit and says the position is being closed by hand (not
"by Egis"), as on paper (tests/portfolio/test_exit_cancel_words.py)."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_close
from egis.portfolio.activity import events_page
from tests.support.binance_exits import open_long, set_exits

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


def test_a_hand_close_names_each_exit_it_cancels_at_binance(binance_bot, fake_binance):
    position = open_long(binance_bot)
    exits = set_exits(binance_bot, position, sl="570", tp="600")
    tp, sl = exits["take_profit"], exits["stop_loss"]

    order_close(bot_id=binance_bot.pk, position_id=position.pk)

    cancelled = {
        e["words"]: e["reason"]
        for e in events_page(binance_bot, viewer=binance_bot.owner).items
        if e["action"] == "exit_cancelled"
    }
    assert cancelled == {
        f"Take-profit of position #{position.pk} cancelled": f"take-profit {tp.client_algo_id} "
        f"cancelled at Binance (position #{position.pk} is being closed by hand)",
        f"Stop-loss of position #{position.pk} cancelled": f"stop-loss {sl.client_algo_id} "
        f"cancelled at Binance (position #{position.pk} is being closed by hand)",
    }
