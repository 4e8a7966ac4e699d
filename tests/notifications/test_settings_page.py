"""Settings → Notifications: set up, the token never shown again, the webhook secret shown once,
"Send test", the delivery log with its last error, refusals next to their field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egis.notifications.models import Delivery, NotificationSettings
from tests.support.fake_notify import CHAT, TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob_client(bob) -> Client:
    client = Client()
    client.force_login(bob)
    return client


def _post(client: Client, url: str, data: dict):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _props(client: Client) -> dict:
    page = client.get("/settings", HTTP_X_INERTIA="true")
    assert page.status_code == 200
    return page.json()["props"]


def test_telegram_set_up_and_tested_without_the_token_ever_coming_back(bob_client, telegram, bob):
    response = _post(
        bob_client,
        "/settings/notifications",
        {"telegram_token": TOKEN, "telegram_chat_id": CHAT, "events": ["fill", "drift_found"]},
    )
    assert response.status_code == 303
    props = _props(bob_client)
    card = props["notifications"]
    assert card["telegram"] == {
        "configured": True,
        "chat_id": CHAT,
        "token_masked": "••••••" + TOKEN[-4:],
    }
    assert card["events"] == ["fill", "drift_found"] and props["secret"] is None
    # Saving again with the token left blank keeps it (it is never sent back to the page).
    assert _post(bob_client, "/settings/notifications", {"telegram_chat_id": CHAT}).status_code
    assert NotificationSettings.objects.get(user=bob).telegram_on

    assert _post(bob_client, "/settings/notifications/test", {}).status_code == 303
    # Under test the task queue runs tasks at once; in production the worker does.
    assert telegram.texts() == ["Egis: test notification: this channel works."]
    [row] = _props(bob_client)["notifications"]["log"]
    assert row["status"] == "sent" and row["channel"] == "telegram"
    html = bob_client.get("/settings").content.decode()
    assert TOKEN not in html and TOKEN not in json.dumps(_props(bob_client))
    assert TOKEN.split(":")[1] not in html


def test_the_webhook_secret_is_shown_once(bob_client, receiver):
    answer = bob_client.post(
        "/settings/notifications",
        data=json.dumps({"webhook_url": receiver.url}),
        content_type="application/json",
        HTTP_X_INERTIA="true",
    )
    assert answer.status_code == 200
    secret = answer.json()["props"]["secret"]
    assert secret["items"][0]["label"] == "Webhook secret" and secret["note"]
    value = secret["items"][0]["value"]
    assert len(value) >= 40
    assert value not in bob_client.get("/settings").content.decode()
    assert _props(bob_client)["secret"] is None
    # A reload of the answer's URL is a redirect, never the secret again.
    assert bob_client.get("/settings/notifications").status_code == 303
    rotated = bob_client.post("/settings/notifications/webhook-secret", HTTP_X_INERTIA="true")
    assert rotated.json()["props"]["secret"]["items"][0]["value"] != value


def test_the_log_shows_the_last_error_of_a_receiver_that_is_down(bob_client, bob, settings):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = True
    _post(bob_client, "/settings/notifications", {"webhook_url": "http://127.0.0.1:9/down"})
    _post(bob_client, "/settings/notifications/test", {})
    [row] = _props(bob_client)["notifications"]["log"]
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["last_error"] == "webhook receiver unreachable (ConnectError)"
    assert row["next_attempt_at"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"telegram_token": TOKEN, "telegram_chat_id": "12ab"}, "telegram_chat_id"),
        ({"telegram_token": "x\x00y", "telegram_chat_id": CHAT}, "telegram_token"),
        ({"telegram_token": "nope", "telegram_chat_id": CHAT}, "telegram_token"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"webhook_url": "http://127.0.0.1:8000/admin"}, "webhook_url"),
        ({"webhook_url": "https://x.example/" + "a" * 600}, "webhook_url"),
        ({"webhook_url": ["https://example.com"]}, "webhook_url"),
        ({"events": ["fill", "\x1b[31m"]}, "events"),
        ({"events": {"fill": True}}, "events"),
        ({"telegram_chat_id": CHAT}, "telegram_token"),  # no token stored yet: named
        ({}, "notifications"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_refusals_show_next_to_their_field_and_write_nothing(bob_client, data, field):
    response = _post(bob_client, "/settings/notifications", data)
    assert response.status_code == 303
    errors = _props(bob_client)["errors"]
    assert list(errors) == [field]
    assert TOKEN not in errors[field]
    assert NotificationSettings.objects.count() == 0 and Delivery.objects.count() == 0


def test_send_test_without_a_channel_says_so(bob_client):
    _post(bob_client, "/settings/notifications/test", {})
    assert "No channel to test" in _props(bob_client)["errors"]["notifications"]


def test_each_person_sees_only_their_own_channels(bob_client, telegram, charlie):
    data = {"telegram_token": TOKEN, "telegram_chat_id": CHAT}
    _post(bob_client, "/settings/notifications", data)
    other = Client()
    other.force_login(charlie)
    card = other.get("/settings", HTTP_X_INERTIA="true").json()["props"]["notifications"]
    assert card["telegram"]["configured"] is False and card["telegram"]["chat_id"] == ""
    assert card["log"] == []
