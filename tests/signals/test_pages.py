"""The Signals card on the bot page and its actions; the Bots list's "last acted on a signal"."""

from __future__ import annotations

import json

import pytest

from egis.signals.hooks import IssuedHook
from egis.signals.models import Signal, SignalHook
from egis.signals.selectors import hook_reach_note
from tests.signals.conftest import Sender
from tests.web.conftest import inertia, login, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def _create(client, bot_id: int):
    response = post_json(client, f"/bots/{bot_id}/hook", {})
    assert response.status_code == 200
    return json.loads(response.content)


def test_create_shows_the_secret_in_that_answer_only(client, bob, paper_bot):
    login(client, bob)
    page = _create(client, paper_bot.pk)
    hook = SignalHook.objects.get()
    items = {i["label"]: i["value"] for i in page["props"]["secret"]["items"]}
    assert items["Webhook URL"] == f"http://testserver/hooks/{hook.hook_id}"
    secret = items["Secret"]
    assert json.loads(items["TradingView message"])["secret"] == secret
    assert page["props"]["signals"]["hook"]["url"] == items["Webhook URL"]

    again = inertia(client, f"/bots/{paper_bot.pk}")
    assert again["props"]["secret"] is None
    assert secret not in json.dumps(again)
    assert json.loads(again["props"]["signals"]["template"])["secret"] == "YOUR-SECRET"
    # A reload of the answer that showed it goes back to the bot page.
    reload = client.get(f"/bots/{paper_bot.pk}/hook")
    assert reload.status_code == 303 and reload["Location"] == f"/bots/{paper_bot.pk}"


def test_signals_show_on_the_card_and_the_list(client, bob, paper_bot):
    login(client, bob)
    page = _create(client, paper_bot.pk)
    items = {i["label"]: i["value"] for i in page["props"]["secret"]["items"]}
    sender = Sender(IssuedHook(hook=SignalHook.objects.get(), secret=items["Secret"]))
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "p1"})
    sender.post({"action": "close", "side": "short", "id": "p2"})
    card = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]
    rejected, executed = card["signals"]
    assert (executed["action"], executed["status"]) == ("open long $20.00", "executed")
    assert executed["orders"][0]["intent"] == "open"
    assert (rejected["status"], rejected["reason"]) == (
        "rejected",
        "Nothing open to close on the short side",
    )
    [row] = inertia(client, "/")["props"]["bots"]
    assert row["last_signal_at"] is not None


def test_switch_rotate_revoke(client, bob, paper_bot):
    login(client, bob)
    _create(client, paper_bot.pk)
    assert (
        post_json(client, f"/bots/{paper_bot.pk}/hook/enabled", {"enabled": "off"}).status_code
        == 303
    )
    assert SignalHook.objects.get().enabled is False
    bad = post_json(client, f"/bots/{paper_bot.pk}/hook/enabled", {"enabled": "maybe"})
    assert bad.status_code == 303 and SignalHook.objects.get().enabled is False
    old = SignalHook.objects.get().hook_id
    rotated = post_json(client, f"/bots/{paper_bot.pk}/hook/rotate", {})
    assert json.loads(rotated.content)["props"]["secret"] is not None
    assert SignalHook.objects.get(revoked_at__isnull=True).hook_id != old
    assert post_json(client, f"/bots/{paper_bot.pk}/hook/revoke", {}).status_code == 303
    assert not SignalHook.objects.filter(revoked_at__isnull=True).exists()
    card = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]
    assert card["hook"] is None


def test_another_user_cannot_touch_the_hook(client, charlie, paper_bot):
    login(client, charlie)
    assert post_json(client, f"/bots/{paper_bot.pk}/hook", {}).status_code == 404
    assert not SignalHook.objects.exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:8000/hooks/x", "cannot reach 127.0.0.1"),
        ("http://localhost/hooks/x", "cannot reach localhost"),
        ("http://192.168.1.20/hooks/x", "cannot reach 192.168.1.20"),
        ("http://egis:8000/hooks/x", "cannot reach egis"),
        ("https://egis.example.com:8443/hooks/x", "only to ports 80 and 443, not 8443"),
        ("https://egis.example.com/hooks/x", ""),
        ("http://203.0.113.9/hooks/x", "cannot reach"),  # documentation range: not global
        ("http://8.8.8.8/hooks/x", ""),
    ],
)
def test_the_card_says_when_tradingview_could_not_reach_the_webhook(url, says):
    """A newcomer run saw http://127.0.0.1:8300/hooks/... on the card with nothing saying that
    TradingView (public addresses, ports 80 and 443 only) could never call it."""
    note = hook_reach_note(url)
    assert (says in note) if says else note == ""
    if says:  # a trader is told what it means for them, not a setting's name
        assert "EGIS_PUBLIC_URL" not in note and "ask your Egis admin" in note
        assert "EGIS_PUBLIC_URL" in hook_reach_note(url, admin=True)
    else:
        assert hook_reach_note(url, admin=True) == ""


def test_the_card_carries_the_note(client, bob, paper_bot, settings):
    login(client, bob)
    _create(client, paper_bot.pk)
    hook = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]["hook"]
    assert "cannot reach testserver" in hook["reach_note"]
    assert "EGIS_PUBLIC_URL" not in hook["reach_note"]
    settings.EGIS_PUBLIC_URL = "https://egis.example.com"
    hook = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]["hook"]
    assert (hook["url"].split("/hooks/")[0], hook["reach_note"]) == ("https://egis.example.com", "")


def test_an_admin_is_also_told_the_setting(client, alice, bob, paper_bot):
    login(client, bob)
    _create(client, paper_bot.pk)
    client.logout()
    login(client, alice)
    note = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]["hook"]["reach_note"]
    assert "ask your Egis admin" in note and "Admin: set EGIS_PUBLIC_URL" in note


def test_refused_requests_to_a_live_hook_are_counted_for_its_owner_only(client, bob, paper_bot):
    """An alert with a wrong secret never trades, and its sender gets the one answer for every
    refusal: the owner's card says so (found by a newcomer run: nothing told the trader)."""
    login(client, bob)
    page = _create(client, paper_bot.pk)
    items = {i["label"]: i["value"] for i in page["props"]["secret"]["items"]}
    sender = Sender(IssuedHook(hook=SignalHook.objects.get(), secret=items["Secret"]))
    card = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]
    assert card["hook"]["refused"] is None

    wrong = sender.post({"action": "close", "id": "w1"}, secret="not-it")
    unknown = sender.post({"action": "close"}, url="/hooks/no-such-hook-000000000000")
    no_secret = sender.raw(b'{"action": "close"}')
    assert wrong.status_code == unknown.status_code == no_secret.status_code == 404
    assert wrong.content == unknown.content == no_secret.content  # still no oracle

    refused = inertia(client, f"/bots/{paper_bot.pk}")["props"]["signals"]["hook"]["refused"]
    assert refused["count"] == 2  # the unknown hook is nobody's
    assert refused["last_reason"] == "no secret in the message"
    assert refused["last_at"] is not None
    assert not Signal.objects.exists()
    assert "not-it" not in json.dumps(refused)
