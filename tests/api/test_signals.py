"""GET /api/v1/bots/{id}/signals and the webhook endpoints: the owner only, paginated, in the
published schema; the secret appears in the create/rotate answer and nowhere else."""

from __future__ import annotations

import json

import pytest

from egis.signals.models import SignalHook
from tests.signals.conftest import Sender

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_creates_a_hook_posts_and_lists_signals(as_bob, paper_bot):
    created = as_bob.post(f"/bots/{paper_bot.pk}/hook")
    assert created.status_code == 201
    issued = created.json()
    hook = SignalHook.objects.get()
    assert issued["url"] == f"http://testserver/hooks/{hook.hook_id}"
    from egis.signals.hooks import IssuedHook

    sender = Sender(IssuedHook(hook=hook, secret=issued["secret"]))
    for n in range(3):
        sender.post({"action": "open", "side": "long", "size_usd": "10", "id": f"s{n}"})
    page = as_bob.get(f"/bots/{paper_bot.pk}/signals?page_size=2").json()
    assert (page["count"], page["pages"], len(page["items"])) == (3, 2, 2)
    first = page["items"][0]
    assert first["status"] == "executed" and len(first["client_order_ids"]) == 1
    assert first["orders"][0]["intent"] == "open"
    second = as_bob.get(f"/bots/{paper_bot.pk}/signals?page=2&page_size=2").json()
    assert [s["sender_id"] for s in second["items"]] == ["s0"]
    assert issued["secret"] not in json.dumps(page)
    filtered = as_bob.get(f"/bots/{paper_bot.pk}/signals?status=rejected").json()
    assert filtered["count"] == 0

    # A refusal carries its machine code beside its words (the README says so for the API too).
    sender.post({"action": "open", "side": "long", "size_usd": "500", "id": "big"})
    refused = as_bob.get(f"/bots/{paper_bot.pk}/signals?status=rejected").json()["items"][0]
    assert refused["code"] == "not_enough_budget"
    assert refused["reason"].startswith("Not enough budget")


def test_rotate_and_revoke(as_bob, paper_bot):
    first = as_bob.post(f"/bots/{paper_bot.pk}/hook").json()
    assert as_bob.post(f"/bots/{paper_bot.pk}/hook").status_code == 409
    second = as_bob.post(f"/bots/{paper_bot.pk}/hook/rotate").json()
    assert second["secret"] != first["secret"]
    revoked = as_bob.delete(f"/bots/{paper_bot.pk}/hook")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert as_bob.delete(f"/bots/{paper_bot.pk}/hook").status_code == 409


def test_another_user_sees_nothing(as_charlie, paper_bot):
    assert as_charlie.get(f"/bots/{paper_bot.pk}/signals").status_code == 404
    assert as_charlie.post(f"/bots/{paper_bot.pk}/hook").status_code == 404
    assert not SignalHook.objects.exists()


def test_bad_status_or_page_is_422(as_bob, paper_bot):
    assert as_bob.get(f"/bots/{paper_bot.pk}/signals?status=nope").status_code == 422
    assert as_bob.get(f"/bots/{paper_bot.pk}/signals?page=0").status_code == 422


def test_the_schema_lists_the_signal_operations(as_bob):
    schema = as_bob.client.get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/bots/{bot_id}/signals"]
    assert {"post", "delete"} <= set(schema["paths"]["/api/v1/bots/{bot_id}/hook"])
