"""Property tests: invariants 1-3 after every step of random opens, closes and partial fills."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egis.bots.services import bot_create
from egis.ledger import budget
from egis.ledger.errors import OrderRefused
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import SymbolFilter
from egis.venues.prices.sources import price_set
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)

RATIOS = st.sampled_from([Decimal("1"), Decimal("0.5"), Decimal("0.3"), Decimal("0")])
OPEN = st.tuples(
    st.just("open"),
    st.sampled_from(["long", "short"]),
    st.decimals(min_value=Decimal("0.10"), max_value=Decimal("70"), places=2),
    RATIOS,
)
CLOSE = st.tuples(st.just("close"), st.integers(0, 20), RATIOS, st.just(None))
PRICE = st.tuples(
    st.just("price"),
    st.decimals(min_value=Decimal("500"), max_value=Decimal("5000"), places=2),
    st.just(None),
    st.just(None),
)


@pytest.fixture
def fine_grained_symbol(paper_filters):
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        step_size=Decimal("0.00001"), min_qty=Decimal("0.00001"), min_notional=Decimal("0")
    )
    price_set(symbol="ETHUSDT", price=Decimal("1000"), source="fixed")


def check_invariants(bot, opens_accepted):
    rows = list(Position.objects.filter(bot=bot))
    open_rows = [p for p in rows if p.status == "open"]
    # 1: the budget is exactly initial - sum(open size_usd), from positions only
    expected_reserved = sum((p.size_usd for p in open_rows), Decimal(0))
    b = budget.get_budget(bot)
    assert b.reserved_usd == expected_reserved
    assert b.available_usd == bot.initial_budget_usd - expected_reserved
    assert expected_reserved <= bot.initial_budget_usd
    # 2: only open-intent orders create positions; each position has exactly one opening order
    assert len(rows) == opens_accepted
    assert all(p.opening_order.intent == "open" for p in rows)
    assert not Order.objects.filter(
        bot=bot, intent="close", position__opening_order__intent="close"
    )
    # 3: executed size, not requested (single-price fills: size = qty x entry exactly)
    for p in open_rows:
        assert p.size_usd == p.qty * p.entry_price
        assert p.qty > 0


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(OPEN, CLOSE, PRICE), min_size=1, max_size=14))
def test_invariants_hold_after_every_step(bob, fine_grained_symbol, steps):
    bot = bot_create(owner=bob, name="prop", venue="paper", symbol="ETHUSDT", budget_usd="100")
    opens_accepted = 0
    for kind, a, b, c in steps:
        if kind == "price":
            price_set(symbol="ETHUSDT", price=a, source="fixed")
        elif kind == "open":
            venue = RecordingPaperVenue(bot, fill_ratio=c)
            try:
                order_open(bot_id=bot.pk, side=a, size_usd=b, venue=venue)
                opens_accepted += 1
            except OrderRefused:
                assert "place_market_order" not in venue.calls
        else:
            candidates = list(
                Position.objects.filter(bot=bot, status="open")
                .order_by("id")
                .values_list("pk", flat=True)
            )
            if candidates:
                venue = RecordingPaperVenue(bot, fill_ratio=b)
                order_close(bot_id=bot.pk, position_id=candidates[a % len(candidates)], venue=venue)
        check_invariants(bot, opens_accepted)


def test_a_thousand_ten_cent_opens_then_closing_all_gives_back_exactly_the_budget(
    bob, fine_grained_symbol
):
    bot = bot_create(owner=bob, name="dust", venue="paper", symbol="ETHUSDT", budget_usd="100")
    ids = [order_open(bot_id=bot.pk, side="long", size_usd="0.10").position.pk for _ in range(1000)]
    assert budget.get_budget(bot).available_usd == Decimal("0")
    for position_id in ids:
        order_close(bot_id=bot.pk, position_id=position_id)
    final = budget.get_budget(bot)
    assert final.available_usd == Decimal("100") == final.initial_budget_usd
    assert final.reserved_usd == 0
