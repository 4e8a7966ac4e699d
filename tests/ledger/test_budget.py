"""The frozen budget contract (journal sections 1, 2 and 8; invariant 1)."""

import json
import logging
from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_full_budget_when_nothing_is_open(paper_bot):
    b = budget.get_budget(paper_bot)
    assert (b.initial_budget_usd, b.reserved_usd, b.available_usd) == (
        Decimal("100"),
        Decimal("0"),
        Decimal("100"),
    )


def test_closed_and_cancelled_positions_reserve_nothing(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    Position.objects.create(
        bot=paper_bot,
        symbol="ETHUSDT",
        side="short",
        status="cancelled",
        requested_size_usd=Decimal("50"),
        size_usd=Decimal("0"),
    )
    assert budget.get_budget(paper_bot).available_usd == Decimal("100")


def test_other_bots_positions_do_not_count(paper_bot, bob):
    from egis.bots.services import bot_create

    other = bot_create(owner=bob, name="other", venue="paper", symbol="ETHUSDT", budget_usd="50")
    order_open(bot_id=other.pk, side="long", size_usd="20")
    assert budget.get_budget(paper_bot).reserved_usd == 0


def test_a_thousand_ten_cent_holds_sum_exactly(paper_bot):
    Position.objects.bulk_create(
        Position(
            bot=paper_bot,
            symbol="ETHUSDT",
            side="long",
            status="open",
            requested_size_usd=Decimal("0.10"),
            size_usd=Decimal("0.10"),
        )
        for _ in range(1000)
    )
    # 0.1 summed as binary floats 1000 times is 99.9999999999986; here it is exact.
    assert budget.get_budget(paper_bot).available_usd == Decimal("0")
    Position.objects.filter(bot=paper_bot).update(status="closed")
    assert budget.get_budget(paper_bot).available_usd == Decimal("100")


def test_trace_lists_every_step(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    trace = budget.explain(paper_bot)
    data = trace.as_json()
    assert data["available_usd"] == "91.19632"
    assert data["open_positions"] == [
        {
            "position_id": opened.position.pk,
            "side": "long",
            "size_usd": "8.80368",
            "requested_size_usd": "10.00",
            "qty": "0.00300000",
        }
    ]
    joined = "\n".join(trace.steps)
    assert "initial budget 100.00" in joined
    assert "nothing is read from the exchange" in joined
    assert "available = 100.00 - 8.80368 = 91.19632" in joined
    assert "equal" in joined


def test_debug_flag_emits_one_structured_record_per_computation(paper_bot, settings, caplog):
    settings.EGIS_DEBUG_BUDGET = True
    with caplog.at_level(logging.INFO, logger="egis.budget"):
        budget.get_budget(paper_bot)
    records = [r for r in caplog.records if r.name == "egis.budget"]
    assert len(records) == 1
    payload = json.loads(records[0].getMessage().split(" ", 1)[1])
    assert payload["bot_id"] == paper_bot.pk and payload["available_usd"] == "100.00"


def test_debug_is_silent_by_default(paper_bot, caplog):
    with caplog.at_level(logging.DEBUG, logger="egis.budget"):
        budget.get_budget(paper_bot)
    assert not [r for r in caplog.records if r.name == "egis.budget"]


def test_grouped_budgets_equal_the_single_computation(
    paper_bot, bob, django_assert_max_num_queries
):
    from egis.bots.services import bot_create

    bots = [paper_bot] + [
        bot_create(owner=bob, name=f"b{i}", venue="paper", symbol="ETHUSDT", budget_usd="40")
        for i in range(3)
    ]
    order_open(bot_id=bots[1].pk, side="long", size_usd="10")
    order_open(bot_id=bots[1].pk, side="long", size_usd="12")
    order_open(bot_id=bots[3].pk, side="short", size_usd="30")
    with django_assert_max_num_queries(1):
        grouped = budget.get_budgets(bots)
    assert grouped == {b.pk: budget.get_budget(b) for b in bots}
