"""One realized PnL per bot: the list, the detail header, the closed rows and the chart agree.

Before: the list summed every position's fees (open positions' entry fees too) and said -$0.13
while the detail page and the chart said -$0.12; the chart also counted archived positions that
the closed rows hide. The definition (egis.bots.selectors.REALIZED_ROWS): closed positions,
archived ones left out, realized_pnl_usd - fees_usd.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.services import position_archive
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db(transaction=True)


def _round_trip(bot, set_price, exit_price: str) -> Position:
    set_price("ETHUSDT", "2934.56")
    opened = order_open(bot_id=bot.pk, side="long", size_usd="20")
    set_price("ETHUSDT", exit_price)
    order_close(bot_id=bot.pk, position_id=opened.position.pk)
    return Position.objects.get(pk=opened.position.pk)


def _net(p: Position) -> Decimal:
    return p.realized_pnl_usd - p.fees_usd


def test_list_header_closed_rows_and_chart_agree(client, bob, alice, paper_bot, set_price):
    kept = [_round_trip(paper_bot, set_price, price) for price in ("2950", "2900.01")]
    archived = _round_trip(paper_bot, set_price, "3000.10")
    position_archive(position=archived, actor=alice)
    set_price("ETHUSDT", "2934.56")
    still_open = Position.objects.get(
        pk=order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position.pk
    )
    Position.objects.create(  # an open that filled nothing: no PnL, no fee
        bot=paper_bot,
        symbol="ETHUSDT",
        side="long",
        status="cancelled",
        requested_size_usd=Decimal("10"),
        size_usd=Decimal("0"),
    )
    assert still_open.fees_usd > 0 and archived.fees_usd > 0 and _net(archived) != 0
    expected = _net(kept[0]) + _net(kept[1])

    login(client, bob)
    [card] = inertia(client, "/")["props"]["bots"]
    detail = inertia(client, f"/bots/{paper_bot.pk}")["props"]
    rows = []
    for page in range(1, detail["closed"]["pages"] + 1):
        rows += inertia(client, f"/bots/{paper_bot.pk}?page={page}")["props"]["closed"]["items"]

    list_figure = Decimal(card["realized_pnl_usd"])
    header_figure = Decimal(detail["bot"]["realized_pnl_usd"])
    rows_sum = sum((Decimal(r["net_realized_pnl_usd"]) for r in rows), Decimal(0))
    chart_figure = Decimal(detail["pnl_series"][-1]["cumulative_usd"])

    assert list_figure == header_figure == rows_sum == chart_figure == expected
    assert [p["position_id"] for p in detail["pnl_series"]] == [kept[0].pk, kept[1].pk]
    assert archived.pk not in {r["id"] for r in rows}
    # The hint says what the figure is, and names the open position's entry fee apart.
    hint = detail["bot"]["realized_pnl_hint"]
    assert card["realized_pnl_hint"] == hint
    assert "closed positions" in hint and "archived positions are left out" in hint
    assert f"${still_open.fees_usd.normalize():f}" in hint


def test_no_closes_is_zero_everywhere(client, bob, paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    login(client, bob)
    [card] = inertia(client, "/")["props"]["bots"]
    detail = inertia(client, f"/bots/{paper_bot.pk}")["props"]
    assert card["realized_pnl_usd"] == detail["bot"]["realized_pnl_usd"] == "0.00"
    assert detail["pnl_series"] == []
