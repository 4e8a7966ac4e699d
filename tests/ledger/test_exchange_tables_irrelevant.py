"""If every exchange table is emptied, budget and the positions shown do not change."""

from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import ExchangePosition
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


def _open_view(bot):
    return list(
        Position.objects.filter(bot=bot, status="open")
        .order_by("id")
        .values_list("id", "side", "size_usd", "qty", "entry_price")
    )


def test_emptying_every_exchange_table_changes_nothing_the_ledger_says(paper_bot):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="25")
    order_close(bot_id=paper_bot.pk, position_id=first.position.pk)
    before_budget = budget.get_budget(paper_bot)
    before_open = _open_view(paper_bot)
    assert PaperFill.objects.count() == 3 and PaperPosition.objects.count() == 1

    PaperFill.objects.all().delete()
    PaperPosition.objects.all().delete()
    ExchangePosition.objects.all().delete()

    assert budget.get_budget(paper_bot) == before_budget
    assert _open_view(paper_bot) == before_open
    assert before_budget.reserved_usd == Decimal("23.47648")  # 0.008 x 2934.56


def test_a_lying_mirror_cannot_change_the_budget(paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    before = budget.get_budget(paper_bot)
    PaperPosition.objects.update(qty=Decimal("99"), entry_price=Decimal("1"))
    assert budget.get_budget(paper_bot) == before
