"""/api/v1/bots/{id}/budget: three exact decimal strings; the trace is for admins only."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_budget_after_an_open_uses_the_executed_size(as_bob, paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    response = as_bob.get(f"/bots/{paper_bot.pk}/budget")
    assert response.status_code == 200
    assert response.json() == {
        "bot_id": paper_bot.pk,
        "initial_budget_usd": "100.00",
        "reserved_usd": "8.80368",
        "available_usd": "91.19632",
        # What screens show: reserved rounded up to the cent, available derived (they add up).
        "display": {
            "initial_budget_usd": "100.00",
            "reserved_usd": "8.81",
            "available_usd": "91.19",
        },
    }


def test_the_admin_gets_the_trace_with_debug(as_alice, paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    body = as_alice.get(f"/bots/{paper_bot.pk}/budget?debug=true").json()
    assert body["available_usd"] == "91.19632"
    assert [p["size_usd"] for p in body["open_positions"]] == ["8.80368"]
    assert any("nothing is read from the exchange" in step for step in body["steps"])


def test_a_user_gets_403_for_debug_even_on_their_own_bot(as_bob, paper_bot):
    response = as_bob.get(f"/bots/{paper_bot.pk}/budget?debug=true")
    assert response.status_code == 403
    assert "steps" not in response.json()


def test_debug_false_is_the_plain_budget_for_a_user(as_bob, paper_bot):
    body = as_bob.get(f"/bots/{paper_bot.pk}/budget?debug=false").json()
    assert "steps" not in body or body["steps"] is None


def test_another_user_gets_404(as_charlie, paper_bot):
    assert as_charlie.get(f"/bots/{paper_bot.pk}/budget").status_code == 404


def test_a_malformed_debug_flag_is_422(as_alice, paper_bot):
    response = as_alice.get(f"/bots/{paper_bot.pk}/budget?debug=maybe")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "debug"
