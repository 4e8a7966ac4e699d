"""Bob's channels pointed at a fake Telegram server and a fake webhook receiver on loopback."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from django.utils import timezone

from egis.notifications.delivery import DeliveryRun, deliver_due
from egis.notifications.models import Delivery
from egis.notifications.services import notify_settings_update
from tests.support.fake_notify import CHAT, TOKEN, FakeTelegram, FakeWebhook


@pytest.fixture
def telegram(settings):
    with FakeTelegram() as fake:
        settings.EGIS_TELEGRAM_API_BASE = fake.base_url
        yield fake


@pytest.fixture
def receiver(settings):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    with FakeWebhook() as fake:
        yield fake


@pytest.fixture
def queue_only():
    """The worker does not run on its own: deliveries wait until a test calls deliver_due."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    yield
    HUEY.immediate = True


@pytest.fixture
def bob_channels(bob, telegram, receiver):
    """Bob: Telegram and the webhook, every event. Returns the webhook's clear secret."""
    result = notify_settings_update(
        user=bob, telegram_token=TOKEN, telegram_chat_id=CHAT, webhook_url=receiver.url
    )
    assert result.webhook_secret
    return result.webhook_secret


def drain(*, start: dt.datetime | None = None, step_s: float = 1.5, rounds: int = 200) -> int:
    """Run the worker's delivery with a clock that moves `step_s` per round (Telegram's one
    message per second per chat), until nothing is pending. Returns the rounds it took."""
    now = start or timezone.now()
    for n in range(rounds):
        if not Delivery.objects.filter(status="pending").exists():
            return n
        run: DeliveryRun = deliver_due(now=now)
        assert run.failed == 0, list(Delivery.objects.values("channel", "last_error"))
        now += dt.timedelta(seconds=step_s)
    raise AssertionError("deliveries still pending")


def verify_signature(secret: str, header: str, body: bytes, *, tolerance_s: int = 300) -> bool:
    """The documented scheme, written here from the README, not imported from Egis:
    `X-Egis-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    stamp, given = parts["t"], parts["v1"]
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs(timezone.now().timestamp() - int(stamp)) <= tolerance_s
    return hmac.compare_digest(expected, given) and fresh
