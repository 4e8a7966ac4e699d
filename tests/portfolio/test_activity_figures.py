"""The Activity tab's figures (newcomer report): every figure of the orders list carries its
unit at the symbol's precision (USD as money with 2 decimals, quantities in the base asset at
the lot step, prices at the tick), formatted by the server; so do the audit trail's and the
signals' lines."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from egis.core.figures import price_text, qty_text, usd_text
from egis.exits.rules import parse_changes
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import SymbolFilter
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)

MONEY = re.compile(r"-?\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}")
ETH_QTY = re.compile(r"[0-9]+\.[0-9]{3} ETH")  # ETHUSDT's lot step is 0.001
PRICE = re.compile(r"\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2}")  # its tick is 0.01


def _list(client, bot, tab: str) -> list[dict]:
    return inertia(client, f"/bots/{bot.pk}/activity?tab={tab}")["props"]["list"]["items"]


def test_every_order_figure_has_its_unit_and_the_symbols_precision(paper_bot, bob, page_as):
    # A fill price finer than the tick (an average of fills): shown at the tick.
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    order_open(bot_id=paper_bot.pk, side="short", size_usd="12.5")
    orders = _list(page_as(bob), paper_bot, "orders")
    assert len(orders) == 3
    for o in orders:
        shown = o["shown"]
        assert ETH_QTY.fullmatch(shown["executed"]), shown
        assert PRICE.fullmatch(shown["price"]), shown
        assert MONEY.fullmatch(shown["value"]) and MONEY.fullmatch(shown["fee"]), shown
        if o["intent"] == "open":
            assert MONEY.fullmatch(shown["requested"]), shown
        else:  # a whole close: filled as asked, in the same unit, so not said again (UI.md)
            assert shown["requested"] is None, shown
    assert orders[0]["shown"]["requested"] == "$12.50"
    assert orders[2]["shown"]["requested"] == "$25.00"
    # The exact figures stay for scripts (the API gives the same rows).
    assert Decimal(orders[2]["executed_qty"]) == opened.order.executed_qty


def test_precision_follows_the_symbols_rules(paper_bot, bob, page_as):
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        step_size=Decimal("0.0001"), tick_size=Decimal("0.1")
    )
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    [o] = _list(page_as(bob), paper_bot, "orders")
    assert re.fullmatch(r"0\.[0-9]{4} ETH", o["shown"]["executed"]), o["shown"]
    assert re.fullmatch(r"\$2,93[0-9]\.[0-9]", o["shown"]["price"]), o["shown"]


def test_the_figure_helpers():
    assert qty_text(Decimal("0.04"), step=Decimal("0.001"), symbol="ETHUSDT") == "0.040 ETH"
    # Finer than the step: shown whole, never rounded away.
    assert qty_text(Decimal("0.0085"), step=Decimal("0.001"), symbol="ETHUSDT") == "0.0085 ETH"
    assert qty_text(Decimal("12"), step=Decimal("1"), symbol="DOGEUSDT") == "12 DOGE"
    assert price_text(Decimal("2934.5"), tick=Decimal("0.01")) == "$2,934.50"
    assert price_text(Decimal("2934.567"), tick=Decimal("0.01")) == "$2,934.57"
    assert price_text(Decimal("0.51234"), tick=Decimal("0.0001")) == "$0.5123"
    assert price_text(Decimal("625"), tick=None) == "$625.00"  # at least cents
    assert price_text(Decimal("588.6123"), tick=None) == "$588.6123"  # exact digits kept
    assert usd_text(Decimal("25")) == "$25.00" and usd_text(Decimal("-0.004")) == "$0.00"


def test_audit_lines_and_signal_lines_name_units(paper_bot, bob, page_as, sender):
    exits = parse_changes(take_profit="3%", stop_loss="2%")
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25", exits=exits)
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})
    client = page_as(bob)
    events = _list(client, paper_bot, "events")
    reasons: dict[str, str] = {}
    for e in reversed(events):  # oldest first: the first of each action
        reasons.setdefault(e["action"], e["reason"])
    # No bare symbol after a quantity and no price without its unit.
    for reason in (e["reason"] for e in events):
        assert not re.search(r"[0-9] ETHUSDT", reason), reason
        assert not re.search(r"(at|price|reference) [0-9]", reason), reason
    assert re.fullmatch(
        r"open long \$25\.00: 0\.008 ETH at reference \$2,934\.56", reasons["hold"]
    ), reasons["hold"]
    assert reasons["closing"] == "close 0.008 ETH by hand", reasons["closing"]
    assert reasons["open_filled"] == "bought 0.008 ETH at $2,934.56", reasons["open_filled"]
    assert reasons["closed"] == "sold 0.008 ETH at $2,934.56: closed by hand", reasons["closed"]
    assert reasons["exit_cancelled"].endswith(": the position was closed by hand")
    exit_lines = " | ".join(e["reason"] for e in events if e["action"] == "exit_set")
    assert re.search(
        r"stop-loss at \$2,[0-9]{3}\.[0-9]{2} for long ETHUSDT entered at \$2,934\.56", exit_lines
    )
    assert "take-profit at $3,022.60" in exit_lines
    [signal] = _list(client, paper_bot, "signals")
    assert signal["action"] == "open long $20.00"


def test_a_close_that_filled_less_than_asked_says_what_it_asked(paper_bot, bob, page_as):
    from egis.bots.models import Bot
    from egis.venues.paper.venue import PaperVenue

    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25")
    half = PaperVenue(Bot.objects.get(pk=paper_bot.pk), fill_ratio=Decimal("0.5"))
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk, venue=half)
    close = _list(page_as(bob), paper_bot, "orders")[0]
    assert close["intent"] == "close"
    assert close["shown"]["requested"] == "0.008 ETH" and close["shown"]["executed"] == "0.004 ETH"
