"""Shown budget figures add up: Reserved + Available = Initial, to the cent, everywhere.

Before: reserved was rounded half-even and available truncated on its own, so a hold of $5.931
on $100.00 showed $5.93 + $94.06 against $100.00.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egis.ledger import budget
from egis.ledger.budget import display_figures
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia, login

CENT = Decimal("0.01")

initial_cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c) / 100)
# Sizes are stored with 8 decimals: any sub-cent amount, up to twice the largest budget.
reserved_amounts = st.integers(min_value=0, max_value=2 * 10**18).map(lambda u: Decimal(u) / 10**8)


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
    shown = display_figures(Decimal("100.00"), Decimal("5.931"))
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
    assert "reserved $8.81 (rounded up to the cent), available $91.19 = $100.00 - $8.81" in trace
