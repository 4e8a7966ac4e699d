"""Settings → Notifications (newcomer report): an empty form never says "saved", half a
Telegram pair is refused naming the missing field, and refusals use the form's words (not
"telegram_chat_id: ..."). The CLI shares the service and says the same in its flags' words."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egis.notifications.models import NotificationSettings
from tests.support.cli_inprocess import run_cli
from tests.support.fake_notify import CHAT, TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

# What the card posts when nothing is filled in: every field, empty, and the default events.
EMPTY_FORM = {"telegram_token": "", "telegram_chat_id": "", "webhook_url": "", "events": ["fill"]}


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def _save(client: Client, data: dict) -> dict:
    response = client.post(
        "/settings/notifications", data=json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 303
    return client.get("/settings", HTTP_X_INERTIA="true").json()["props"]


def _flash(props: dict) -> list[str]:
    return [m["message"] for m in props.get("flash") or []]


def test_an_empty_form_is_not_saved_and_says_notifications_are_off(bob_client):
    props = _save(bob_client, EMPTY_FORM)
    assert not any("saved" in m.lower() for m in _flash(props)), props.get("flash")
    error = props["errors"]["notifications"]
    assert "Notifications are off" in error
    assert "Bot token" in error and "Chat id" in error and "Webhook URL" in error
    assert NotificationSettings.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({**EMPTY_FORM, "telegram_token": TOKEN}, "telegram_chat_id", "Chat id"),
        ({**EMPTY_FORM, "telegram_chat_id": CHAT}, "telegram_token", "Bot token"),
    ],
    ids=["token-without-chat", "chat-without-token"],
)
def test_half_a_telegram_pair_is_refused_naming_the_missing_field(bob_client, data, field, words):
    errors = _save(bob_client, data)["errors"]
    assert list(errors) == [field]
    assert words in errors[field] and "telegram_" not in errors[field]
    assert TOKEN not in errors[field]
    assert NotificationSettings.objects.count() == 0


def test_a_new_token_with_the_chat_id_cleared_is_refused_not_a_removal(bob_client, bob, telegram):
    _save(bob_client, {"telegram_token": TOKEN, "telegram_chat_id": CHAT})
    errors = _save(bob_client, {**EMPTY_FORM, "telegram_token": TOKEN})["errors"]
    assert list(errors) == ["telegram_chat_id"] and "Chat id" in errors["telegram_chat_id"]
    assert NotificationSettings.objects.get(user=bob).telegram_on


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"telegram_token": TOKEN, "telegram_chat_id": "12ab"}, "telegram_chat_id", "Chat id"),
        ({"telegram_token": "nope", "telegram_chat_id": CHAT}, "telegram_token", "Bot token"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url", "Webhook URL"),
    ],
)
def test_refusals_use_the_words_on_the_form(bob_client, data, field, words):
    errors = _save(bob_client, data)["errors"]
    assert words in errors[field]
    assert field not in errors[field], errors[field]


def test_saved_says_where_and_warns_when_no_event_is_chosen(bob_client, telegram):
    props = _save(bob_client, {"telegram_token": TOKEN, "telegram_chat_id": CHAT, "events": []})
    [text] = _flash(props)
    assert "Telegram" in text and "No event is chosen" in text


def test_removing_the_last_channel_says_notifications_are_off(bob_client, telegram):
    _save(bob_client, {"telegram_token": TOKEN, "telegram_chat_id": CHAT})
    props = _save(bob_client, {"telegram_chat_id": ""})
    [text] = _flash(props)
    assert "Telegram removed" in text and "Notifications are off" in text
    assert "errors" not in props or not props["errors"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--telegram-token", TOKEN), "--telegram-chat"),
        (("--telegram-chat", CHAT), "--telegram-token"),
        (("--events", "all"), "Notifications are off"),
        (("--telegram-chat", "12ab", "--telegram-token", TOKEN), "--telegram-chat must be"),
    ],
    ids=["token-only", "chat-only", "events-only", "bad-chat"],
)
def test_the_cli_refuses_the_same_in_its_flags_words(bob, args, words):
    code, _, err = run_cli("notify", "set", "bob", *args)
    assert code == 1 and words in err, err
    assert "telegram_" not in err and TOKEN not in err
    assert NotificationSettings.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "Webhook URL is not a web address"),
        ("notaurl", "Webhook URL is not a web address: it must start with https://"),
        ("http://notaurl", "Webhook URL is not a web address on the internet"),
        ("https://not_a_url/x", "Webhook URL is not a web address"),
        ("http://127.0.0.1:9999/hook", "Webhook URL must be a public address"),
    ],
)
def test_what_is_not_a_web_address_is_told_so_before_whether_it_is_public(
    bob_client, settings, url, words
):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = False
    errors = _save(bob_client, {"webhook_url": url})["errors"]
    assert errors["webhook_url"].startswith(f"Not saved: {words}"), errors["webhook_url"]
    if "public" not in words:
        assert "public" not in errors["webhook_url"]
