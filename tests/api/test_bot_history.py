"""GET /api/v1/bots/{id}/history: the settings history of one bot for its owner (a newcomer asked
"who changed my budget, my risk limits, my webhook, and when?"). Newest first, paginated like
/signals; another user gets the 404 of a bot that does not exist; an admin sees it; no webhook
secret or URL appears; other people's names are never shown to the owner."""

from __future__ import annotations

import json

import pytest

from egis.bots.services import bot_create
from egis.core.when import when_text
from egis.signals.models import SignalHook

pytestmark = pytest.mark.django_db(transaction=True)


def _words(answer) -> list[str]:
    return [item["words"] for item in answer["items"]]


def test_the_owner_sees_each_change_of_the_bot_newest_first_in_words(as_bob, paper_bot):
    url = f"/bots/{paper_bot.pk}"
    assert as_bob.patch(url, {"initial_budget_usd": "250"}).status_code == 200
    assert as_bob.patch(url, {"max_order_usd": "50", "cooldown_s": 60}).status_code == 200
    assert as_bob.patch(url, {"max_order_usd": None, "name": "Bob ETH 2"}).status_code == 200
    assert as_bob.patch(url, {"is_active": False}).status_code == 200

    answer = as_bob.get(f"{url}/history")
    assert answer.status_code == 200
    page = answer.json()
    assert _words(page) == [
        "Deactivated: no new opens",
        # One edit's rows in the order it wrote them (name, budget, ..., the limits), newest first.
        "Max per order $50.00 → off",
        "Name “Bob ETH” → “Bob ETH 2”",
        "Cooldown between opens off → 60 s",
        "Max per order off → $50.00",
        "Budget $100.00 → $250.00",
        "Created as Paper ETHUSDT for bob: budget $100.00, leverage 1x",
    ]
    assert (page["count"], page["page"], page["page_size"], page["pages"]) == (7, 1, 10, 1)
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True)
    # Bob's own changes are "You"; the fixture created the bot with no person: "Egis".
    assert [item["who"] for item in page["items"]] == ["You"] * 6 + ["Egis"]
    first = page["items"][0]
    assert first["field"] == "is_active"
    from datetime import datetime

    assert first["when"] == when_text(datetime.fromisoformat(first["at"]))
    assert first["when"].endswith("\u00a0UTC")


def test_another_trader_gets_the_404_of_a_bot_that_does_not_exist(as_charlie, as_bob, paper_bot):
    as_bob.patch(f"/bots/{paper_bot.pk}", {"initial_budget_usd": "250"})
    theirs = as_charlie.get(f"/bots/{paper_bot.pk}/history")
    missing = as_charlie.get("/bots/999999/history")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == missing.json()["code"]
    assert "250" not in theirs.content.decode()


def test_a_deleted_bot_has_no_history_page(as_bob, paper_bot):
    assert as_bob.delete(f"/bots/{paper_bot.pk}").status_code in (200, 204)
    assert as_bob.get(f"/bots/{paper_bot.pk}/history").status_code == 404


def test_an_admin_sees_the_history_with_the_names_and_the_owner_sees_an_admin(
    as_alice, as_bob, alice, bob, set_price
):
    set_price("ETHUSDT", "2934.56")
    bot = bot_create(
        owner=bob, name="Bob ETH", venue="paper", symbol="ETHUSDT", budget_usd="200", actor=alice
    )
    as_alice.patch(f"/bots/{bot.pk}", {"initial_budget_usd": "250"})
    as_bob.patch(f"/bots/{bot.pk}", {"daily_loss_limit_usd": "1500"})

    admin_view = as_alice.get(f"/bots/{bot.pk}/history").json()
    assert [(i["who"], i["words"]) for i in admin_view["items"]] == [
        ("bob (owner)", "Daily loss limit off → $1,500.00"),
        ("You", "Budget $200.00 → $250.00"),
        ("You", "Created as Paper ETHUSDT for bob: budget $200.00, leverage 1x"),
    ]
    owner_view = as_bob.get(f"/bots/{bot.pk}/history").json()
    assert [i["who"] for i in owner_view["items"]] == ["You", "An admin", "An admin"]
    assert "alice" not in json.dumps(owner_view)


def test_webhook_changes_are_listed_and_no_secret_or_url_appears(as_bob, as_alice, paper_bot):
    base = f"/bots/{paper_bot.pk}"
    created = as_bob.post(f"{base}/hook").json()
    rotated = as_bob.post(f"{base}/hook/rotate").json()
    assert as_bob.delete(f"{base}/hook").status_code == 200
    credentials = [created["secret"], rotated["secret"], created["url"], rotated["url"]]
    credentials += list(SignalHook.objects.values_list("hook_id", flat=True))
    credentials += list(SignalHook.objects.values_list("secret_encrypted", flat=True))

    for client in (as_bob, as_alice):
        answer = client.get(f"{base}/history")
        text = answer.content.decode()
        assert not [c for c in credentials if c in text]
        assert _words(answer.json())[:3] == [
            "Webhook revoked: its URL and secret stopped working",
            "Webhook rotated: a new URL and secret, the old ones stopped working",
            "Webhook created",
        ]


def test_pages_of_the_history_follow_each_other_without_gaps(as_bob, paper_bot):
    for n in range(1, 13):
        as_bob.patch(f"/bots/{paper_bot.pk}", {"initial_budget_usd": str(100 + n)})
    first = as_bob.get(f"/bots/{paper_bot.pk}/history").json()
    assert (first["count"], first["pages"], len(first["items"])) == (13, 2, 10)
    assert first["items"][0]["words"] == "Budget $111.00 → $112.00"
    second = as_bob.get(f"/bots/{paper_bot.pk}/history?page=2").json()
    assert second["page"] == 2
    assert _words(second) == [
        "Budget $101.00 → $102.00",
        "Budget $100.00 → $101.00",
        "Created as Paper ETHUSDT for bob: budget $100.00, leverage 1x",
    ]
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert len(set(seen)) == 13 and seen == sorted(seen, reverse=True)

    small = as_bob.get(f"/bots/{paper_bot.pk}/history?page=3&page_size=5").json()
    assert (small["pages"], len(small["items"])) == (3, 3)
    past_the_end = as_bob.get(f"/bots/{paper_bot.pk}/history?page=9").json()
    assert past_the_end["items"] == [] and past_the_end["count"] == 13
    assert as_bob.get(f"/bots/{paper_bot.pk}/history?page=0").status_code == 422
    assert as_bob.get(f"/bots/{paper_bot.pk}/history?page_size=100000").status_code == 422
