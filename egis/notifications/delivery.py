"""The worker's half: send what is due, one row at a time, and write down how it went.

A row is claimed by compare-and-set (a lease in `claimed_until`), so two workers never send it
twice while both are alive. Each send is outside any transaction; its outcome is one UPDATE:
- sent: done;
- the receiver said when (Telegram 429 `parameters.retry_after`, a webhook's Retry-After):
  the row waits exactly that long, and for Telegram the whole chat does;
- a permanent refusal (bad token, chat not found, a 4xx from the webhook): failed at once;
- anything else (timeout, refused connection, 5xx): retried with exponential backoff
  (EGIS_NOTIFY_BACKOFF_S doubling, at most an hour) until EGIS_NOTIFY_MAX_ATTEMPTS, then failed.
Telegram asks for about one message per second per chat: after each send the chat's next slot
is EGIS_TELEGRAM_MIN_INTERVAL_S later, and a row waiting for it does not hold up webhooks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from egis.notifications.events import message_text
from egis.notifications.models import (
    ERROR_MAX,
    Channel,
    Delivery,
    DeliveryStatus,
    NotificationSettings,
)
from egis.notifications.selectors import with_bot_names
from egis.notifications.transports import Outcome, scrub, telegram_send, webhook_post
from egis.venues.secrets import SecretUnreadable, decrypt_secret

logger = logging.getLogger("egis.notifications")

BATCH = 50
MAX_BATCHES = 20  # one run sends at most 1,000 rows; the next run takes the rest
BACKOFF_MAX_S = 3600


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def wake_in_s(self) -> float | None:
        """When the earliest row this run left waiting is due again, in seconds."""
        return min(self.waits) if self.waits else None


def backoff_s(attempts: int) -> float:
    """10, 20, 40, ... seconds after the 1st, 2nd, 3rd failed attempt; at most an hour."""
    base = float(settings.EGIS_NOTIFY_BACKOFF_S)
    return min(base * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S)


def webhook_body(row: Delivery) -> bytes:
    """The JSON a webhook receives (documented in the README, "Notifications")."""
    envelope = {
        "id": row.pk,
        "event": row.event_kind,
        "created_at": row.created_at.isoformat(),
        "bot_id": row.bot_id,
        "text": message_text(row.event_kind, row.payload),
        "data": row.payload,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def _due(now: dt.datetime, user_id: int | None, *, exclude: set[int]) -> list[Delivery]:
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    return list(rows.order_by("id")[:BATCH])


def _claim(row: Delivery, now: dt.datetime) -> bool:
    lease = now + dt.timedelta(seconds=settings.EGIS_NOTIFY_TIMEOUT_S + 60)
    return bool(
        Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=lease)
    )


def _send(row: Delivery, prefs: NotificationSettings | None, client: httpx.Client) -> Outcome:
    if row.channel == Channel.TELEGRAM:
        if prefs is None or not prefs.telegram_on:
            return Outcome(sent=False, error="Telegram was removed from Settings", permanent=True)
        try:
            token = decrypt_secret(prefs.telegram_token_encrypted)
        except SecretUnreadable:
            return Outcome(
                sent=False,
                error="the stored bot token cannot be decrypted: enter it again",
                permanent=True,
            )
        outcome = telegram_send(
            client,
            token=token,
            chat_id=prefs.telegram_chat_id,
            text=message_text(row.event_kind, row.payload),
        )
        return Outcome(
            sent=outcome.sent,
            error=scrub(outcome.error, token),
            permanent=outcome.permanent,
            retry_after_s=outcome.retry_after_s,
        )
    if prefs is None or not prefs.webhook_on:
        return Outcome(sent=False, error="the webhook was removed from Settings", permanent=True)
    try:
        secret = decrypt_secret(prefs.webhook_secret_encrypted)
    except SecretUnreadable:
        return Outcome(
            sent=False,
            error="the stored webhook secret cannot be decrypted: rotate it",
            permanent=True,
        )
    return webhook_post(
        client,
        url=prefs.webhook_url,
        secret=secret,
        body=webhook_body(row),
        event=row.event_kind,
        delivery_id=row.pk,
    )


def _record(row: Delivery, outcome: Outcome, now: dt.datetime, run: DeliveryRun) -> None:
    attempts = row.attempts + 1
    done = Delivery.objects.filter(pk=row.pk)
    if outcome.sent:
        done.update(
            status=DeliveryStatus.SENT,
            attempts=attempts,
            sent_at=timezone.now(),
            claimed_until=None,
            last_error="",
        )
        run.sent += 1
        return
    error = outcome.error[:ERROR_MAX]
    if outcome.permanent or attempts >= settings.EGIS_NOTIFY_MAX_ATTEMPTS:
        done.update(
            status=DeliveryStatus.FAILED, attempts=attempts, claimed_until=None, last_error=error
        )
        run.failed += 1
        logger.warning(
            "notification #%s (%s) failed after %s attempt(s): %s",
            row.pk,
            row.channel,
            attempts,
            error,
        )
        return
    wait = outcome.retry_after_s if outcome.retry_after_s is not None else backoff_s(attempts)
    done.update(
        attempts=attempts,
        next_attempt_at=now + dt.timedelta(seconds=wait),
        claimed_until=None,
        last_error=error,
    )
    run.retried += 1
    run.waits.append(wait)
    logger.info("notification #%s (%s) retried in %.0f s: %s", row.pk, row.channel, wait, error)


_client: list[httpx.Client] = []
_client_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """One client per worker process, shared by its threads (httpx clients are thread-safe):
    building one loads the CA bundle, about a quarter of a second each time. Redirects are
    not followed (a webhook answering 3xx is an error, not a hop to somewhere else)."""
    with _client_lock:
        if not _client:
            _client.append(httpx.Client(follow_redirects=False))
        return _client[0]


def deliver_due(
    *,
    user_id: int | None = None,
    now: dt.datetime | None = None,
    client: httpx.Client | None = None,
) -> DeliveryRun:
    """Send every due row (of one person, or everyone), oldest first. `now` is for tests that
    move the clock instead of sleeping."""
    now = now or timezone.now()
    run = DeliveryRun()
    # Events from now on wake the worker again (egis.notifications.services._claim_wake); the
    # ones before are committed, so this run sees their rows.
    woken = NotificationSettings.objects.filter(wake_pending=True)
    if user_id is not None:
        woken = woken.filter(user_id=user_id)
    woken.update(wake_pending=False)
    # Until nothing is due: rows committed while this run sends are its own (`notify` skips
    # the wake-up while an older row waits for its first try).
    waiting: set[int] = set()
    for _ in range(MAX_BATCHES):
        current = max(now, timezone.now())  # rows written meanwhile are due too
        rows = _due(current, user_id, exclude=waiting)
        if not rows:
            break
        _deliver_batch(rows, current, run, waiting, client or shared_client())
    return run


def _deliver_batch(
    rows: list[Delivery],
    now: dt.datetime,
    run: DeliveryRun,
    waiting: set[int],
    http: httpx.Client,
) -> None:
    with_bot_names(rows)
    prefs = {
        p.user_id: p
        for p in NotificationSettings.objects.filter(user_id__in={r.user_id for r in rows})
    }
    for row in rows:
        mine = prefs.get(row.user_id)
        if row.channel == Channel.TELEGRAM and mine is not None:
            slot = mine.telegram_next_send_at
            if slot is not None and slot > now:
                run.waits.append((slot - now).total_seconds())
                waiting.add(row.pk)
                continue  # this chat's next slot; later rows of the chat wait behind it
        if not _claim(row, now):
            waiting.add(row.pk)  # another worker has it
            continue
        try:
            outcome = _send(row, mine, http)
        except Exception as exc:
            # A bug, not the receiver: retried with backoff and, at last, failed, never claimed
            # and dropped in a loop. The traceback goes to the log, never a secret (none is in
            # an exception's text here: URLs with the token are built inside httpx calls only).
            logger.exception("notification #%s: sending raised", row.pk)
            outcome = Outcome(sent=False, error=f"internal error ({type(exc).__name__})")
        _record(row, outcome, now, run)
        if row.channel == Channel.TELEGRAM and mine is not None:
            _next_telegram_slot(mine, outcome, now)


def _next_telegram_slot(prefs: NotificationSettings, outcome: Outcome, now: dt.datetime) -> None:
    if outcome.retry_after_s is not None:
        gap = outcome.retry_after_s
    elif outcome.sent or not outcome.permanent:
        gap = float(settings.EGIS_TELEGRAM_MIN_INTERVAL_S)
    else:
        return
    slot = max(now, timezone.now()) + dt.timedelta(seconds=gap)
    prefs.telegram_next_send_at = slot
    NotificationSettings.objects.filter(pk=prefs.pk).update(telegram_next_send_at=slot)


__all__ = ["DeliveryRun", "backoff_s", "deliver_due", "webhook_body"]
