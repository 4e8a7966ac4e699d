"""POST /api/v1/bots/{id}/paper-sync: dry-run diff by default; {"confirm": true} applies it."""

from __future__ import annotations

import pytest

from egis.bots.models import Bot
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from egis.venues.models import ExchangeAccount
from egis.venues.paper.models import PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def drifted(paper_bot):
    """An open position whose paper book row was lost."""
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    PaperPosition.objects.all().delete()
    return paper_bot


def _sync(client, bot, confirm=None):
    body = None if confirm is None else {"confirm": confirm}
    return client.post(f"/bots/{bot.pk}/paper-sync", body)


def test_dry_run_shows_the_diff_and_changes_nothing(as_bob, drifted):
    positions_before = list(Position.objects.values())
    response = _sync(as_bob, drifted)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] is False
    assert body["counts"]["create"] == 1
    (change,) = body["diff"]
    assert change["action"] == "create"
    assert change["after"]["qty"] == "0.003"
    assert not PaperPosition.objects.exists()
    assert list(Position.objects.values()) == positions_before

    assert _sync(as_bob, drifted, confirm=False).json()["applied"] is False


def test_confirm_applies_then_nothing_is_left_to_fix(as_bob, drifted):
    positions_before = list(Position.objects.values())
    applied = _sync(as_bob, drifted, confirm=True).json()
    assert applied["applied"] is True
    assert applied["counts"]["create"] == 1
    assert str(PaperPosition.objects.get().qty.normalize()) == "0.003"
    assert list(Position.objects.values()) == positions_before  # never writes positions

    again = _sync(as_bob, drifted).json()
    assert again["diff"] == [] and again["counts"]["create"] == 0


def test_another_user_gets_404_and_the_admin_may_sync(as_charlie, as_alice, drifted):
    assert _sync(as_charlie, drifted, confirm=True).status_code == 404
    assert not PaperPosition.objects.exists()
    assert _sync(as_alice, drifted).status_code == 200


def test_a_binance_bot_is_409(as_bob, bob):
    account = ExchangeAccount.objects.create(
        owner=bob,
        venue="binance_futures",
        environment="demo",
        api_key="k",
        api_secret_encrypted="not-a-real-secret",
    )
    bot = Bot.objects.create(
        owner=bob,
        name="b",
        venue="binance_futures",
        exchange_account=account,
        symbol="ETHUSDT",
        initial_budget_usd="10",
    )
    response = _sync(as_bob, bot)
    assert response.status_code == 409
    assert response.json()["code"] == "not_paper"


@pytest.mark.parametrize("raw", ['{"confirm": "yes please"}', '{"confirm": 1, "x": 2}', "{"])
def test_bad_bodies_are_4xx_and_apply_nothing(as_bob, drifted, raw):
    response = as_bob.post(f"/bots/{drifted.pk}/paper-sync", raw=raw)
    assert 400 <= response.status_code < 500
    assert not PaperPosition.objects.exists()
