"""Binance keeps one leverage per account and symbol: bots sharing both must agree on it, or the
second bot's leverage call would silently change the first one's."""

import pytest

from egis.bots.services import BotInputError, bot_create, bot_delete, bot_update
from egis.venues.accounts import account_create

pytestmark = pytest.mark.django_db(transaction=True)


def _bot(owner, account, *, symbol="BNBUSDT", leverage=5, name="Other"):
    return bot_create(
        owner=owner,
        name=name,
        venue="binance_futures",
        symbol=symbol,
        budget_usd="50.00",
        leverage=leverage,
        exchange_account=account,
    )


def test_a_second_bot_on_the_same_account_and_symbol_must_use_the_same_leverage(
    bob, binance_bot, binance_account
):
    with pytest.raises(BotInputError) as caught:
        _bot(bob, binance_account, leverage=10)

    message = str(caught.value)
    assert "Leverage 10x is refused" in message
    assert f"bot #{binance_bot.pk} 'Bob BNB' trades BNBUSDT" in message
    assert "at 5x" in message and "Use 5x, or another exchange account" in message
    assert _bot(bob, binance_account, leverage=5).leverage == 5


def test_another_symbol_or_another_account_may_use_its_own_leverage(
    bob, binance_bot, binance_account, fake_binance
):
    assert _bot(bob, binance_account, symbol="ETHUSDT", leverage=10).leverage == 10
    other_account = account_create(
        owner=bob,
        venue="binance_futures",
        api_key=fake_binance.api_key,
        api_secret=fake_binance.api_secret,
        base_url=fake_binance.base_url,
    )
    assert _bot(bob, other_account, leverage=10).leverage == 10


def test_editing_the_leverage_of_a_bot_that_shares_is_refused(bob, binance_bot, second_bot):
    with pytest.raises(BotInputError, match=f"bot #{second_bot.pk} 'Bob BNB 2'.*at 5x"):
        bot_update(
            bot=binance_bot, name="Bob BNB", budget_usd="100", leverage=3, is_active=True, actor=bob
        )

    binance_bot.refresh_from_db()
    assert binance_bot.leverage == 5
    # Other edits of a sharing bot stay allowed.
    renamed = bot_update(
        bot=binance_bot,
        name="Bob BNB main",
        budget_usd="100",
        leverage=5,
        is_active=True,
        actor=bob,
    )
    assert renamed.name == "Bob BNB main"


def test_a_bot_alone_on_its_symbol_may_change_leverage(bob, binance_bot):
    edited = bot_update(
        bot=binance_bot, name="Bob BNB", budget_usd="100", leverage=8, is_active=True, actor=bob
    )

    assert edited.leverage == 8 and edited.leverage_applied is False


def test_a_deleted_bot_no_longer_holds_the_leverage(bob, binance_bot, binance_account):
    bot_delete(bot=binance_bot)

    assert _bot(bob, binance_account, leverage=10).leverage == 10
