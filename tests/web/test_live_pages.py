"""Live screens: an open page refreshes itself with an Inertia partial reload that leaves the
render-once props out. The refresh carries the price with its own timestamp and age, the
chart's history and the bot's trades on it, and never consumes a flash message or form error
meant for the next full render."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import Price
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)

RENDER_ONCE = "open_form_key,secret,flash,errors,auth"


def _refresh(client, url: str, component: str, *, only: str | None = None):
    headers = {"HTTP_X_INERTIA": "true", "HTTP_X_INERTIA_PARTIAL_COMPONENT": component}
    if only:
        headers["HTTP_X_INERTIA_PARTIAL_DATA"] = only
    else:
        headers["HTTP_X_INERTIA_PARTIAL_EXCEPT"] = RENDER_ONCE
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response, json.loads(response.content)["props"]


def test_the_bot_page_refresh_leaves_out_the_render_once_props(as_bob, paper_bot, set_price):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    full = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert {"open_form_key", "flash", "errors", "price", "chart", "live"} <= set(full)

    set_price("ETHUSDT", "3000")
    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show")
    assert not {"open_form_key", "secret", "flash", "errors", "auth"} & set(props)
    assert {"bot", "budget", "open_positions", "closed", "pnl_series", "signals", "nav"} <= set(
        props
    )
    # The new price, its mark on the position and the unrealized PnL it gives.
    assert props["price"]["price"] == "3000"
    assert props["open_positions"][0]["mark_price"] == "3000"
    assert props["price"]["stale"] is False
    assert props["live"] == {"refresh_s": 3, "stale_after_s": 30}


def test_a_refresh_keeps_the_flash_message_and_errors_for_the_next_full_render(as_bob, paper_bot):
    # An order's answer waits in cookies until the redirect is followed; a refresh that lands
    # in between must leave it there.
    opened = post_json(
        as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
    )
    assert opened.status_code == 303
    refused = post_json(
        as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "x"}
    )
    assert refused.status_code == 303 and "egis_errors" in refused.cookies

    answer, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show")
    assert not {"flash", "errors"} & set(props)
    assert "egis_errors" not in answer.cookies  # neither deleted nor rewritten by the refresh
    full = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert [m["message"][:11] for m in full["flash"]] == ["Opened long"]
    assert "size_usd" in full["errors"]


def test_a_price_older_than_the_threshold_is_sent_as_stale(as_bob, paper_bot, settings):
    settings.EGIS_PRICE_STALE_SECONDS = 30
    Price.objects.filter(symbol="ETHUSDT").update(
        updated_at=Price.objects.get(symbol="ETHUSDT").updated_at - timedelta(seconds=95)
    )
    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show", only="price")
    assert set(props) == {"price"}
    assert props["price"]["stale"] is True
    assert props["price"]["age_s"] >= 95
    assert props["price"]["stale_after_s"] == 30


def test_the_chart_has_the_history_and_the_bots_entries_and_exits(as_bob, paper_bot, set_price):
    set_price("ETHUSDT", "2934.56")
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    set_price("ETHUSDT", "2950")
    order_close(bot_id=paper_bot.pk, position_id=opened.pk)
    set_price("ETHUSDT", "2960")

    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show", only="chart")
    chart = props["chart"]
    times = chart["times"]
    assert times == sorted(set(times))  # strictly rising whole seconds
    assert len(chart["prices"]) == len(times)
    assert chart["prices"][-1] == "2960"
    kinds = [(m["kind"], m["position_id"], m["side"]) for m in chart["markers"]]
    assert kinds == [("entry", opened.pk, "long"), ("exit", opened.pk, "long")]
    opened.refresh_from_db()
    assert Decimal(chart["markers"][0]["price"]) == opened.entry_price
    assert Decimal(chart["markers"][1]["price"]) == opened.exit_price
    assert all(m["t"] in times for m in chart["markers"])  # on the chart's time axis
    assert chart["lines"] == []


def test_the_bots_list_refresh_carries_each_symbols_price(as_bob, paper_bot, set_price):
    set_price("ETHUSDT", "3100.5")
    _, props = _refresh(as_bob, "/", "bots/index", only="bots,prices,nav")
    assert set(props) == {"bots", "prices", "nav"}
    assert props["prices"]["ETHUSDT"]["price"] == "3100.5"
    assert props["prices"]["ETHUSDT"]["age_s"] == 0


def test_another_users_bot_cannot_be_refreshed(as_charlie, paper_bot):
    response = as_charlie.get(
        f"/bots/{paper_bot.pk}",
        HTTP_X_INERTIA="true",
        HTTP_X_INERTIA_PARTIAL_COMPONENT="bots/show",
        HTTP_X_INERTIA_PARTIAL_DATA="price,chart",
    )
    assert response.status_code == 404


def test_the_chart_draws_the_live_take_profit_and_stop_loss_of_open_positions(
    as_bob, paper_bot, set_price
):
    from egis.exits.models import Exit
    from egis.exits.rules import LevelSpec

    set_price("ETHUSDT", "2934.56")
    opened = order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits={
            "take_profit": LevelSpec(price=Decimal("3000")),
            "stop_loss": LevelSpec(price=Decimal("2900")),
        },
    ).position
    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show", only="chart")
    lines = sorted(props["chart"]["lines"], key=lambda line: line["kind"])
    assert [(line["kind"], Decimal(line["price"]), line["label"]) for line in lines] == [
        ("sl", Decimal("2900"), f"SL #{opened.pk}"),
        ("tp", Decimal("3000"), f"TP #{opened.pk}"),
    ]

    Exit.objects.filter(kind="take_profit").update(status="cancelled")  # no longer resting
    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show", only="chart")
    assert [line["kind"] for line in props["chart"]["lines"]] == ["sl"]
    order_close(bot_id=paper_bot.pk, position_id=opened.pk)
    _, props = _refresh(as_bob, f"/bots/{paper_bot.pk}", "bots/show", only="chart")
    assert props["chart"]["lines"] == []  # a closed position's exits are gone from the chart
