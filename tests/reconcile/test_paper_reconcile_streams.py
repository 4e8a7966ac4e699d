"""A full paper reconcile merges three id-ordered streams: paper bots, fills and books.

Every bot that is a paper bot or has paper data is checked exactly once, in id order, including
a paper bot with no data, a book row without fills, and paper data of a bot that is no longer on
the paper venue; and the progress total is counted by the database, not from a list in memory.
"""

from decimal import Decimal

import pytest

from egis.bots.services import bot_create
from egis.ledger.pipeline import order_open
from egis.reconcile.paper import paper_reconcile
from egis.venues.paper.models import PaperFill, PaperPosition
from tests.support.binance_fixtures import (  # noqa: F401  (fixtures)
    _binance_settings,
    binance_account,
    binance_bot,
    fake_binance,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_bot_with_paper_data_is_checked_once_in_id_order(
    paper_bot,
    bob,
    binance_bot,  # noqa: F811  (the fixture imported above)
):
    idle = bot_create(owner=bob, name="idle", venue="paper", symbol="ETHUSDT", budget_usd="50")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    stray_book = bot_create(
        owner=bob, name="stray", venue="paper", symbol="ETHUSDT", budget_usd="5"
    )
    PaperPosition.objects.create(
        bot=stray_book,
        symbol="ETHUSDT",
        side="long",
        qty=Decimal("0.01"),
        entry_price=Decimal("2000"),
        status="open",
    )
    # Paper executions left on a bot that trades on Binance: still the paper venue's data.
    PaperFill.objects.create(
        bot=binance_bot,
        client_order_id="egis-left-behind",
        symbol="BNBUSDT",
        side="buy",
        requested_qty=Decimal("1"),
        qty=Decimal("1"),
        price=Decimal("580"),
        quote_usd=Decimal("580"),
        status="FILLED",
    )
    seen: list[tuple[int, int]] = []
    result = paper_reconcile(progress=lambda done, total: seen.append((done, total)))

    assert result.bots_checked == 4
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    by_bot = {(c.bot_id, c.action) for c in result.changes}
    assert by_bot == {(stray_book.pk, "close"), (binance_bot.pk, "create")}
    assert idle.pk not in {c.bot_id for c in result.changes}

    applied = paper_reconcile(confirm=True)
    assert {(c.bot_id, c.action) for c in applied.changes} == by_bot
    assert paper_reconcile().nothing_to_do
