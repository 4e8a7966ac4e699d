"""The worker's delivery: Telegram's flood control (429 retry_after) and one message per second
per chat, retries with backoff, permanent refusals, the signature, and secrets kept out of logs."""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from django.utils import timezone

from egis.notifications import events
from egis.notifications.delivery import backoff_s, deliver_due
from egis.notifications.models import Delivery, NotificationSettings
from egis.notifications.services import notify, notify_settings_update
from tests.notifications.conftest import verify_signature
from tests.support.fake_notify import CHAT, TOKEN, FakeTelegram

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def telegram_only(bob, telegram):
    notify_settings_update(user=bob, telegram_token=TOKEN, telegram_chat_id=CHAT)


def _tell(bot, n: int = 1) -> None:
    for i in range(n):
        notify(events.EXIT_TRIGGERED, bot=bot, payload={"position_id": i + 1})


def _slot(user) -> dt.datetime:
    """The chat's next free moment, as the worker wrote it."""
    return NotificationSettings.objects.get(user=user).telegram_next_send_at


def test_a_429_waits_exactly_the_retry_after_telegram_names(
    queue_only, bob, telegram_only, telegram, paper_bot
):
    telegram.fail_next(
        429, description="Too Many Requests: retry after 7", parameters={"retry_after": 7}
    )
    _tell(paper_bot)
    now = timezone.now()
    run = deliver_due(now=now)
    row = Delivery.objects.get()
    assert (run.sent, run.retried) == (0, 1) and run.wake_in_s == 7
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error == "Telegram 429: Too Many Requests: retry after 7"
    # retry_after counts from the answer (the run reads its clock when it sends), and the
    # whole chat waits as long as the row
    due = row.next_attempt_at
    assert due >= now + dt.timedelta(seconds=7) and _slot(bob) >= due
    assert deliver_due(now=due - dt.timedelta(seconds=0.1)).sent == 0
    assert len(telegram.requests) == 1
    assert deliver_due(now=_slot(bob) + dt.timedelta(seconds=0.5)).sent == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.last_error == "" and row.attempts == 2


def test_one_message_per_second_per_chat(queue_only, bob, telegram_only, telegram, paper_bot):
    _tell(paper_bot, 3)
    now = timezone.now()
    run = deliver_due(now=now)
    assert run.sent == 1 and run.wake_in_s is not None
    slot = _slot(bob)
    assert slot >= now + dt.timedelta(seconds=1)
    assert deliver_due(now=slot - dt.timedelta(seconds=0.1)).sent == 0
    assert deliver_due(now=slot).sent == 1
    next_slot = _slot(bob)
    assert next_slot >= slot + dt.timedelta(seconds=1)
    assert deliver_due(now=next_slot).sent == 1
    assert [m.text.split("#")[1][0] for m in telegram.messages] == ["1", "2", "3"]


def test_with_the_real_clock_a_strict_server_never_answers_429(
    queue_only, bob, paper_bot, settings
):
    """Against a server that refuses a second message to one chat within a second, bursts from
    the worker's own loop (woken as the tasks are) get through without a single 429."""
    with FakeTelegram(min_gap_s=1.0) as strict:
        settings.EGIS_TELEGRAM_API_BASE = strict.base_url
        notify_settings_update(user=bob, telegram_token=TOKEN, telegram_chat_id=CHAT)
        _tell(paper_bot, 3)
        import time

        deadline = time.monotonic() + 10
        while Delivery.objects.filter(status="pending").exists() and time.monotonic() < deadline:
            run = deliver_due()
            time.sleep(min(run.wake_in_s or 0.05, 1.2))
        assert len(strict.messages) == 3
        assert all(not r[1].startswith(b"429") for r in strict.requests)
        assert not Delivery.objects.exclude(last_error="").exists()


def test_a_receiver_that_is_down_is_retried_with_backoff_and_logged(
    queue_only, bob, paper_bot, settings
):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = True
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notify_settings_update(user=bob, webhook_url=f"http://127.0.0.1:{port}/down")
    _tell(paper_bot)
    now = timezone.now()
    for attempt in (1, 2, 3):
        run = deliver_due(now=now)
        assert run.retried == 1 and run.wake_in_s == backoff_s(attempt)
        due = Delivery.objects.get().next_attempt_at
        assert due >= now + dt.timedelta(seconds=backoff_s(attempt))
        assert deliver_due(now=due - dt.timedelta(seconds=0.1)).retried == 0  # not before
        now = due
    row = Delivery.objects.get()
    assert row.status == "pending" and row.attempts == 3
    assert row.last_error == "webhook receiver unreachable (ConnectError)"
    assert [backoff_s(n) for n in (1, 2, 3, 12)] == [10, 20, 40, 3600]


def test_after_the_last_attempt_the_delivery_is_failed(queue_only, bob, paper_bot, settings):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = True
    settings.EGIS_NOTIFY_MAX_ATTEMPTS = 2
    notify_settings_update(user=bob, webhook_url="http://127.0.0.1:9/never")
    _tell(paper_bot)
    deliver_due(now=timezone.now())
    run = deliver_due(now=timezone.now() + dt.timedelta(hours=1))
    row = Delivery.objects.get()
    assert run.failed == 1 and row.status == "failed" and row.attempts == 2


def test_a_wrong_chat_fails_at_once_with_telegrams_words(queue_only, bob, telegram, paper_bot):
    notify_settings_update(user=bob, telegram_token=TOKEN, telegram_chat_id="777")
    _tell(paper_bot)
    run = deliver_due()
    row = Delivery.objects.get()
    assert run.failed == 1 and row.status == "failed"
    assert row.last_error == "Telegram 400: Bad Request: chat not found"


def test_a_webhook_answering_500_is_retried_and_4xx_is_not(queue_only, bob, receiver, paper_bot):
    notify_settings_update(user=bob, webhook_url=receiver.url)
    receiver.status = 500
    _tell(paper_bot)
    assert deliver_due().retried == 1
    receiver.status = 410
    assert deliver_due(now=timezone.now() + dt.timedelta(minutes=1)).failed == 1
    assert Delivery.objects.get().last_error == "webhook receiver answered 410"


def test_the_webhook_body_is_signed_with_the_documented_scheme(
    queue_only, bob, receiver, paper_bot
):
    secret = notify_settings_update(user=bob, webhook_url=receiver.url).webhook_secret
    _tell(paper_bot)
    deliver_due()
    [request] = receiver.received
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Egis-Event"] == "exit_triggered"
    assert request.headers["X-Egis-Delivery"] == str(Delivery.objects.get().pk)
    header = request.headers["X-Egis-Signature"]
    assert verify_signature(secret, header, request.body)
    assert not verify_signature(secret, header, request.body + b" ")
    assert not verify_signature("another-secret", header, request.body)
    body = request.json()
    assert set(body) == {"id", "event", "created_at", "bot_id", "text", "data"}
    # The inbound signal webhook's own verifier accepts it too: one scheme both ways.
    from egis.signals.hooks import _signature_ok

    assert _signature_ok(secret, header, request.body, timezone.now().timestamp())


def test_a_webhook_to_a_private_address_is_refused_unless_allowed(queue_only, bob, settings):
    from egis.core.inputs import InputError

    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = False
    for url in (
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://10.0.0.5/",
        "http://[::1]/",
    ):
        with pytest.raises(InputError):
            notify_settings_update(user=bob, webhook_url=url)


def test_the_token_never_reaches_a_log_or_an_error(
    queue_only, bob, telegram, paper_bot, caplog, settings
):
    caplog.set_level(logging.DEBUG)
    notify_settings_update(user=bob, telegram_token=TOKEN, telegram_chat_id=CHAT)
    telegram.fail_next(500, description=f"echoing your url /bot{TOKEN}/sendMessage")
    _tell(paper_bot)
    deliver_due()
    settings.EGIS_TELEGRAM_API_BASE = "http://127.0.0.1:9"  # down: a transport error
    deliver_due(now=timezone.now() + dt.timedelta(minutes=5))
    row = Delivery.objects.get()
    assert TOKEN not in row.last_error and row.attempts == 2
    assert "Telegram unreachable" in row.last_error
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    stored = NotificationSettings.objects.get(user=bob).telegram_token_encrypted
    assert TOKEN not in stored and stored  # encrypted at rest


def test_an_outbox_that_cannot_be_written_never_fails_the_order(
    queue_only, bob_channels, paper_bot, caplog
):
    """A real write failure (the outbox table gone for a moment), not a mock: the order is
    booked and the failure is one logged line."""
    from django.db import connection

    from egis.ledger.pipeline import order_open

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE notification_deliveries RENAME TO notification_deliveries_x")
    try:
        result = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE notification_deliveries_x RENAME TO notification_deliveries"
            )
    assert result.order.status == "filled" and result.position.status == "open"
    assert "notification fill not recorded" in caplog.text
    assert Delivery.objects.count() == 0
