"""`egis notify set|test|log|rotate-secret|deliver`: the token never printed, the webhook secret
printed once, the test message delivered to the fake Telegram server."""

from __future__ import annotations

import io
import json

import pytest

from egis.notifications.models import NotificationSettings
from tests.notifications.conftest import verify_signature
from tests.support.cli_inprocess import run_cli
from tests.support.fake_notify import CHAT, TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


def egis(*args: str, ok: bool = True) -> dict:
    code, out, err = run_cli(*args, "--json")
    assert (code == 0) is ok, (code, out, err)
    assert TOKEN not in out and TOKEN not in err
    return json.loads(out)


def test_set_test_and_log_with_telegram(queue_only, bob, telegram):
    shown = egis("notify", "set", "bob", "--telegram-token", TOKEN, "--telegram-chat", CHAT)
    assert shown["telegram"] == {
        "configured": True,
        "chat_id": CHAT,
        "token_masked": "••••••" + TOKEN[-4:],
    }
    assert shown["webhook"]["configured"] is False and "webhook_secret" not in shown
    assert NotificationSettings.objects.get(user=bob).telegram_token_encrypted

    tested = egis("notify", "test", "bob", "--deliver")
    assert tested["queued"] == 1 and tested["sent"] == 1
    assert telegram.texts() == ["Egis: test notification: this channel works."]

    log = egis("notify", "log", "bob")
    [row] = log["deliveries"]
    assert row["channel"] == "telegram" and row["status"] == "sent" and row["event"] == "test"


def test_the_token_can_come_from_stdin(bob, telegram, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    shown = egis("notify", "set", "bob", "--telegram-token", "-", "--telegram-chat", CHAT)
    assert shown["telegram"]["configured"] is True


def test_the_webhook_secret_is_printed_once_and_signs(bob, receiver):
    first = egis(
        "notify", "set", "bob", "--webhook-url", receiver.url, "--events", "fill,drift_found"
    )
    secret = first["webhook_secret"]
    assert first["events"] == ["fill", "drift_found"] and "shown once" in first["note"]
    again = egis("notify", "set", "bob", "--webhook-url", receiver.url)
    assert "webhook_secret" not in again and secret not in json.dumps(again)
    egis("notify", "test", "bob", "--deliver")
    [request] = receiver.received
    assert verify_signature(secret, request.headers["X-Egis-Signature"], request.body)
    rotated = egis("notify", "rotate-secret", "bob")["webhook_secret"]
    assert rotated != secret


@pytest.mark.parametrize(
    "args",
    [
        ("--telegram-token", "not-a-token", "--telegram-chat", CHAT),
        ("--telegram-token", TOKEN, "--telegram-chat", "12ab"),
        ("--webhook-url", "ftp://example.com/x"),
        ("--webhook-url", "http://user:pw@example.com/x"),
        ("--events", "fill,nonsense"),
        ("--telegram-chat", "\x00"),
        (),
    ],
)
def test_bad_input_is_one_line_and_exit_1(bob, args):
    code, _, err = run_cli("notify", "set", "bob", *args)
    assert code == 1 and err.startswith("egis: ") and err.count("\n") == 1
    assert TOKEN not in err and "internal error" not in err
    assert NotificationSettings.objects.count() == 0  # nothing written


@pytest.mark.parametrize(
    "args",
    [
        ("log", "bob", "--limit", "\u00b2"),
        ("log", "bob", "--limit", "0"),
        ("set", "bob", "--telegram-token", TOKEN, "--telegram-chat", "\u0661\u0660"),
        ("set", "bob", "--webhook-url", "https://example.com/a\x00b"),
        ("set", "bob", "--events", "x" * 10_000),
        ("test", "bob\x00"),
    ],
)
def test_hostile_arguments_are_one_line_and_exit_1(bob, args):
    code, _, err = run_cli("notify", *args)
    assert code == 1 and err.startswith("egis: ") and err.count("\n") == 1, err
    assert "internal error" not in err
    assert NotificationSettings.objects.count() == 0


def test_an_unknown_user_and_nothing_to_test(bob):
    assert run_cli("notify", "log", "nobody")[0] == 1
    code, _, err = run_cli("notify", "test", "bob")
    assert code == 1 and "No channel to test" in err
