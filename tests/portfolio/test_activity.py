"""The Activity tab: orders, the audit trail in words and the signals, newest first, paginated."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.activity import PAGE_SIZE
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def test_orders_events_and_signals_newest_first_and_paginated(paper_bot, bob, page_as, sender):
    for _ in range(PAGE_SIZE // 2 + 1):
        opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})
    page = page_as(bob)
    first = inertia(page, f"/bots/{paper_bot.pk}/activity")["props"]
    assert first["tab"] == "orders"
    orders = first["list"]
    assert orders["total"] == 2 * (PAGE_SIZE // 2 + 1) + 1 and orders["pages"] == 2
    ids = [o["id"] for o in orders["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == PAGE_SIZE
    top = orders["items"][0]
    assert {"client_order_id", "intent", "side", "requested_qty", "executed_qty", "status",
            "venue_order_id", "created_at"} <= set(top)  # fmt: skip
    second = inertia(page, f"/bots/{paper_bot.pk}/activity?page=2")["props"]["list"]
    assert second["page"] == 2 and max(o["id"] for o in second["items"]) < min(ids)

    events = inertia(page, f"/bots/{paper_bot.pk}/activity?tab=events")["props"]["list"]
    words = {e["action"]: e["words"] for e in events["items"]}
    assert words["closed"] == "Closed" and words["closing"].startswith("Close sent")
    signals = inertia(page, f"/bots/{paper_bot.pk}/activity?tab=signals")["props"]["list"]
    assert signals["total"] == 1 and signals["items"][0]["status"] == "executed"
    # Off-grammar navigation shows the first page of orders, never an error.
    odd = inertia(page, f"/bots/{paper_bot.pk}/activity?tab=%00&page=%C2%B2")["props"]
    assert odd["tab"] == "orders" and odd["list"]["page"] == 1


def test_another_users_activity_is_a_404(paper_bot, charlie, page_as, api_as):
    assert page_as(charlie).get(f"/bots/{paper_bot.pk}/activity").status_code == 404
    assert api_as(charlie).get(f"/bots/{paper_bot.pk}/activity").status_code == 404


def test_the_api_activity(paper_bot, bob, api_as):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    body = api_as(bob).get(f"/bots/{paper_bot.pk}/activity?tab=events").json()
    assert body["tab"] == "events" and body["total"] == 2
    assert body["items"][0]["action"] == "open_filled"


def test_who_acted_is_said_in_the_viewers_terms(paper_bot, alice, bob, page_as, api_as):
    # Bob's own open (his name on the event), the admin's close (alice's name), and Egis's own
    # close (no person: recovery, a signal, the worker).
    mine = order_open(bot_id=paper_bot.pk, side="long", size_usd="20", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=mine.position.pk, actor=alice)
    second = order_open(bot_id=paper_bot.pk, side="long", size_usd="20", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=second.position.pk)

    def actors(client, path):
        return {(e["action"], e["position_id"], e["actor"]) for e in path(client)}

    def page_items(page):
        return inertia(page, f"/bots/{paper_bot.pk}/activity?tab=events")["props"]["list"]["items"]

    def api_items(api):
        return api.get(f"/bots/{paper_bot.pk}/activity?tab=events").json()["items"]

    first, other = mine.position.pk, second.position.pk
    for seen in (actors(page_as(bob), page_items), actors(api_as(bob), api_items)):
        assert ("open_filled", first, "You") in seen
        assert ("closed", first, "An admin") in seen
        assert ("closed", other, "Egis") in seen
        assert not [a for a in seen if "alice" in a[2]]
    as_admin = actors(page_as(alice), page_items)
    assert ("open_filled", first, "bob (owner)") in as_admin
    assert ("closed", first, "You") in as_admin
    assert ("closed", other, "system") in as_admin
