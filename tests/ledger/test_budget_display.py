"""Shown budget figures add up: Reserved + Available = Initial, to the cent, everywhere, and the
open rows add up to the Reserved next to them.

Before: reserved was rounded half-even and available truncated on its own, so a hold of $5.931
on $100.00 showed $5.93 + $94.06 against $100.00. Then Reserved was ceil(sum of sizes) while
each row showed its size half-even: one position of $5.931 showed "$5.93" next to "Reserved
$5.94", and two of $5.004 showed $5.00 + $5.00 next to "Reserved $10.01". Now every open row is
shown as the whole cents it holds (budget.shown_hold, rounded up) and Reserved is their sum.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egis.bots.models import Bot
from egis.bots.selectors import bot_detail, dashboard_rows
from egis.bots.services import bot_create
from egis.ledger import budget
from egis.ledger.budget import display_figures, shown_hold
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia, login

CENT = Decimal("0.01")

initial_cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c) / 100)
# Sizes are stored with 8 decimals: any sub-cent amount, up to twice the largest budget.
reserved_amounts = st.integers(min_value=0, max_value=2 * 10**18).map(lambda u: Decimal(u) / 10**8)


# Open sizes as stored: 8 decimals, sub-cent amounts among them.
sizes = st.lists(
    st.integers(min_value=0, max_value=10**12).map(lambda u: Decimal(u) / 10**8), max_size=12
)


@given(initial=initial_cents, held=sizes)
def test_shown_rows_sum_to_shown_reserved_and_the_figures_add_up(initial, held):
    rows = [shown_hold(size) for size in held]
    shown = display_figures(initial, sum(rows, Decimal(0)))
    for figure in rows:
        assert figure == figure.quantize(CENT)
    assert sum(rows, Decimal(0)) == shown.reserved_usd
    assert shown.reserved_usd + shown.available_usd == shown.initial_budget_usd == initial
    assert shown.available_usd <= initial - sum(held, Decimal(0))


@given(initial=initial_cents, reserved=reserved_amounts)
def test_shown_reserved_plus_shown_available_is_shown_initial(initial, reserved):
    shown = display_figures(initial, reserved)
    for figure in (shown.initial_budget_usd, shown.reserved_usd, shown.available_usd):
        assert figure == figure.quantize(CENT)
    assert shown.reserved_usd + shown.available_usd == shown.initial_budget_usd
    assert shown.initial_budget_usd == initial
    # Available is never shown higher than what can be spent, and is off by less than a cent.
    exact_available = initial - reserved
    assert shown.available_usd <= exact_available < shown.available_usd + CENT
    assert shown.reserved_usd >= reserved


@given(
    initial=st.integers(min_value=0, max_value=10**14).map(lambda u: Decimal(u) / 10**8),
    reserved=reserved_amounts,
)
def test_even_a_sub_cent_initial_budget_adds_up_and_never_overstates(initial, reserved):
    shown = display_figures(initial, reserved)
    assert shown.reserved_usd + shown.available_usd == shown.initial_budget_usd
    assert shown.available_usd <= initial - reserved


def test_the_reported_case():
    assert shown_hold(Decimal("5.931")) == Decimal("5.94")
    shown = display_figures(Decimal("100.00"), shown_hold(Decimal("5.931")))
    assert shown.as_json() == {
        "initial_budget_usd": "100.00",
        "reserved_usd": "5.94",
        "available_usd": "94.06",
    }


def test_a_negative_available_is_shown_as_it_is_and_still_adds_up():
    shown = display_figures(Decimal("10.00"), Decimal("18.0752"))
    assert (shown.reserved_usd, shown.available_usd) == (Decimal("18.08"), Decimal("-8.08"))


def _hold(bot, size: str) -> None:
    Position.objects.create(
        bot=bot,
        symbol=bot.symbol,
        side="long",
        status="open",
        requested_size_usd=Decimal("10"),
        size_usd=Decimal(size),
    )


SHOWN = {"initial_budget_usd": "100.00", "reserved_usd": "5.94", "available_usd": "94.06"}


@pytest.mark.django_db
def test_every_edge_shows_the_service_figures(paper_bot, client, bob):
    _hold(paper_bot, "5.931")
    assert budget.get_budget(paper_bot).as_json()["display"] == SHOWN

    login(client, bob)
    [card] = inertia(client, "/")["props"]["bots"]
    assert {k: card["budget"][k] for k in SHOWN} == SHOWN
    page = inertia(client, f"/bots/{paper_bot.pk}")["props"]
    assert {k: page["budget"][k] for k in SHOWN} == SHOWN

    api = client.get(f"/api/v1/bots/{paper_bot.pk}/budget")
    assert api.status_code == 200
    body = api.json()
    assert body["display"] == SHOWN
    assert body["reserved_usd"] == "5.931"  # the exact figure stays for scripts

    listed = client.get("/api/v1/bots").json()["items"][0]["budget"]
    assert listed["display"] == SHOWN

    code, out, _err = run_cli("budget", str(paper_bot.pk), "--json")
    assert code == 0
    assert json.loads(out)["display"] == SHOWN


@pytest.mark.django_db(transaction=True)
def test_a_real_fill_adds_up(paper_bot):
    # ETH at 2934.56: $10 buys 0.003 ETH = $8.80368 held.
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    shown = budget.get_budget(paper_bot).display
    assert (shown.reserved_usd, shown.available_usd) == (Decimal("8.81"), Decimal("91.19"))
    trace = "\n".join(budget.explain(paper_bot).steps)
    assert "On the page: reserved $8.81 (each position's size rounded up to the cent" in trace
    assert "available $91.19 = $100.00 - $8.81" in trace


_bots = iter(range(10**6))


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.integers(min_value=0, max_value=10**6).map(lambda c: Decimal(c) / 100), held=sizes
)
def test_every_reader_sums_the_shown_rows(bob, paper_filters, initial, held):
    """The SQL sum of the shown holds (one statement, on the partial index) and the grouped
    dashboard sum equal the sum of the rows as the page shows them."""
    bot = bot_create(
        owner=bob, name=f"p{next(_bots)}", venue="paper", symbol="ETHUSDT", budget_usd="1"
    )
    Bot.objects.filter(pk=bot.pk).update(initial_budget_usd=initial)
    bot.refresh_from_db()
    for size in held:
        _hold(bot, str(size))
    exact = sum(held, Decimal(0))
    b = budget.get_budget(bot)
    assert b.reserved_usd == exact
    detail = bot_detail(bob, bot)
    rows = [Decimal(r["display"]["size_usd"]) for r in detail["open_positions"]]
    shown = b.display
    assert sum(rows, Decimal(0)) == shown.reserved_usd == Decimal(detail["budget"]["reserved_usd"])
    assert budget.get_budgets([bot])[bot.pk].display == shown
    assert budget.explain(bot).budget.display == shown
    assert shown.reserved_usd + shown.available_usd == shown.initial_budget_usd
    assert shown.available_usd <= b.available_usd


@pytest.mark.django_db
def test_two_sub_cent_holds_show_rows_that_add_up(paper_bot, bob):
    # Before: each row $5.00 (half-even), Reserved $10.01 (ceil of the sum).
    _hold(paper_bot, "5.004")
    _hold(paper_bot, "5.004")
    detail = bot_detail(bob, paper_bot)
    assert [r["display"]["size_usd"] for r in detail["open_positions"]] == ["5.01", "5.01"]
    assert detail["budget"]["reserved_usd"] == "10.02"
    assert detail["budget"]["available_usd"] == "89.98"
    [card] = dashboard_rows(bob)
    assert card["budget"] == detail["budget"]
    trace = "\n".join(budget.explain(paper_bot).steps)
    assert "; shown $5.01), running total" in trace
    assert "the database's own total gives $10.02: equal" in trace


@pytest.mark.django_db
def test_a_budget_below_held_names_the_shown_held_sum(paper_bot):
    _hold(paper_bot, "5.004")
    _hold(paper_bot, "5.004")
    with pytest.raises(budget.BudgetBelowHeld) as refused:
        budget.ensure_covers_held(paper_bot, Decimal("10.00"))
    assert str(refused.value) == "Budget $10.00 is below the $10.02 held by open positions"
