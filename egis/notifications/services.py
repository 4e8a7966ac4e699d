"""Notifications: the one entry point (`notify`) and a person's channel settings.

`notify` writes the outbox rows in the caller's transaction (a savepoint when there is one, its
own transaction otherwise) and wakes the worker once that transaction commits: a notification
exists exactly when the event it tells did happen, and an event rolled back tells nothing.
It never raises: whatever goes wrong is logged and swallowed, so telling can never block or fail
an order. Nothing here sends anything; delivery is the worker's (egis.notifications.delivery).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from egis.accounts.models import User
from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError
from egis.core.money import plain
from egis.core.row_saves import row_insert
from egis.core.rows import RowQuery
from egis.notifications import events
from egis.notifications.inputs import (
    parse_events,
    parse_telegram_chat,
    parse_telegram_token,
    parse_webhook_url,
)
from egis.notifications.models import Channel, Delivery, NotificationSettings
from egis.venues.secrets import encrypt_secret

logger = logging.getLogger("egis.notifications")

WEBHOOK_SECRET_BYTES = 32


class NotifyError(UserFacingError):
    code = "notifications_refused"
    http_status = 409


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _channels(row: NotificationSettings) -> list[str]:
    out: list[str] = []
    if row.telegram_on:
        out.append(Channel.TELEGRAM)
    if row.webhook_on:
        out.append(Channel.WEBHOOK)
    return out


def notify(
    event_kind: str,
    *,
    bot: Bot | int | None = None,
    user: User | int | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Queue `event_kind` for the person concerned (the bot's owner, or `user`) on each channel
    they set up, if they chose that event. Returns the number of rows written (0 on any error).

    Call it where the event happens, inside that transaction if there is one. `dedupe_key`
    (e.g. `fill:<order id>`) keeps one row per person and channel should the event be told
    twice."""
    try:
        with transaction.atomic():
            return _queue(event_kind, bot=bot, user=user, payload=payload, dedupe_key=dedupe_key)
    except Exception as exc:
        # One line, never the payload; the traceback only at debug level (the database being
        # locked or read-only is the usual cause, and the caller reports that itself).
        logger.error(
            "notification %s not recorded (the event itself stands): %s: %s",
            event_kind,
            type(exc).__name__,
            exc,
        )
        logger.debug("notification %s not recorded", event_kind, exc_info=True)
        return 0


# The recipient's settings and the bot's name, read on every fill inside the settle
# transaction: compiled once (egis.core.rows), not rebuilt by the ORM each time.
_SETTINGS_OF_BOT: RowQuery[NotificationSettings] = RowQuery(
    NotificationSettings,
    "user_id = (SELECT owner_id FROM bots WHERE id = %s)"
    " AND user_id IN (SELECT id FROM users WHERE is_active = %s)",
)
_SETTINGS_OF_USER: RowQuery[NotificationSettings] = RowQuery(
    NotificationSettings,
    "user_id = %s AND user_id IN (SELECT id FROM users WHERE is_active = %s)",
)
_CLAIM_WAKE = (
    "UPDATE notification_settings SET wake_pending = %s WHERE id = %s AND wake_pending = %s"
)


def _queue(
    event_kind: str,
    *,
    bot: Bot | int | None,
    user: User | int | None,
    payload: dict[str, Any] | None,
    dedupe_key: str | None,
) -> int:
    if event_kind not in events.KNOWN_KINDS:
        raise ValueError(f"unknown notification event {event_kind!r}")
    bot_id = bot.pk if isinstance(bot, Bot) else bot
    if user is not None:
        found = _SETTINGS_OF_USER.one(user.pk if isinstance(user, User) else user, True)
    elif bot_id is not None:
        found = _SETTINGS_OF_BOT.one(bot_id, True)
    else:
        raise ValueError("notify needs a bot or a user")
    if found is None or (event_kind != events.TEST and event_kind not in (found.events or [])):
        return 0
    channels = _channels(found)
    if not channels:
        return 0
    data = _jsonable(dict(payload or {}))
    if bot_id is not None:
        data.setdefault("bot_id", bot_id)  # its name is added when the message is written
    now = timezone.now()
    written = 0
    for channel in channels:
        row = Delivery(
            user_id=found.user_id,
            channel=channel,
            event_kind=event_kind,
            bot_id=bot_id,
            payload=data,
            dedupe_key=dedupe_key[:120] if dedupe_key else None,
            next_attempt_at=now,
        )
        try:
            with transaction.atomic():
                row_insert(row)
            written += 1
        except IntegrityError:
            pass  # told already: the unique index keeps one row per person, channel and key
    if written and _claim_wake(found.pk):
        user_id = found.user_id
        transaction.on_commit(lambda: wake_worker(user_id))
    return written


@dataclass(frozen=True)
class PreparedNotice:
    """An event read for (who listens, on which channels) and not written yet."""

    event_kind: str
    bot_id: int
    payload: dict[str, Any]


def notice_prepare(
    event_kind: str, *, bot_id: int, payload: dict[str, Any]
) -> PreparedNotice | None:
    """The read half of `notify`, for a transaction whose writes must close it (settle, whose
    writes go as one statement on PostgreSQL, egis.core.row_writes): one SELECT, before the
    writes; None when nobody listens (then nothing more is sent). Never raises."""
    try:
        found = _SETTINGS_OF_BOT.one(bot_id, True)
    except Exception as exc:
        _not_recorded(event_kind, exc)
        return None
    if found is None or event_kind not in (found.events or []) or not _channels(found):
        return None
    return PreparedNotice(event_kind=event_kind, bot_id=bot_id, payload=payload)


def notices_write(notices: list[PreparedNotice]) -> None:
    """The write half, after the caller's writes and in its transaction: each notice in its own
    savepoint, so a failing outbox never fails what it tells. Never raises."""
    for notice in notices:
        notify(notice.event_kind, bot=notice.bot_id, payload=notice.payload)


def _not_recorded(event_kind: str, exc: Exception) -> None:
    logger.error(
        "notification %s not recorded (the event itself stands): %s: %s",
        event_kind,
        type(exc).__name__,
        exc,
    )


def _claim_wake(settings_id: int) -> bool:
    """True for the first event since the worker last started for this person: only that one
    enqueues a task (each enqueue is an fsync'd write to the task queue's own database)."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_WAKE, [True, settings_id, False])
        return cursor.rowcount == 1


def wake_worker(user_id: int) -> None:
    """Ask the worker to deliver this person's due notifications now. A lost wake-up costs at
    most the periodic sweep's minute."""
    from egis.notifications.tasks import notifications_deliver

    try:
        notifications_deliver(user_id)
    except Exception as exc:
        logger.error(
            "notification worker not woken for user #%s (%s); the sweep will deliver",
            user_id,
            type(exc).__name__,
        )


# --- a person's channels --------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsResult:
    settings: NotificationSettings
    # The clear webhook secret: only in the answer that made it (first URL, or a rotation).
    webhook_secret: str | None = None
    # The channels this call removed ("telegram", "webhook"), for the words that answer it.
    removed: tuple[str, ...] = ()


# Messages name fields by their keys; the page swaps in the form's labels and the CLI its
# flags (egis.notifications.presenters.in_words), so the person learns what to fill in.
NOTHING_SET = (
    "Notifications are off: nothing was saved. To be told, fill in telegram_token and "
    "telegram_chat_id, or webhook_url"
)


def _row_for(user: User) -> NotificationSettings:
    row, _ = NotificationSettings.objects.select_for_update().get_or_create(
        user=user, defaults={"events": list(events.EVENT_KINDS)}
    )
    return row


CHAT_MISSING = "telegram_chat_id is missing (Telegram needs the chat id with the bot token)"


def _given(value: object) -> bool:
    return value is not None and value != ""


@transaction.atomic
def notify_settings_update(
    *,
    user: User,
    telegram_token: object = None,
    telegram_chat_id: object = None,
    webhook_url: object = None,
    events_chosen: object = None,
) -> SettingsResult:
    """Change what is given; None leaves a setting as it is.

    Telegram: a chat id with a token sets it up; a chat id alone keeps the stored token (it is
    never shown again); an empty chat id (with no token) removes Telegram and its token; half
    a pair with nothing stored to complete it is refused, naming the missing field. Webhook: a
    URL sets it up and, the first time, makes its signing secret (returned once); an empty URL
    removes the webhook and its secret. A call that would leave no channel at all, without
    removing one, is refused (NOTHING_SET): "saved" would claim notifications that never come.
    Every value is checked before anything is written."""
    if all(v is None for v in (telegram_token, telegram_chat_id, webhook_url, events_chosen)):
        raise NotifyError("Nothing to change.")
    token = chat = url = None
    if _given(telegram_chat_id):
        chat = parse_telegram_chat(telegram_chat_id)
    if _given(telegram_token):
        token = parse_telegram_token(telegram_token)
    if _given(webhook_url):
        url = parse_webhook_url(webhook_url)
    chosen = parse_events(events_chosen) if events_chosen is not None else None
    if token is not None and telegram_chat_id == "":
        # A new token with the chat id cleared: half a pair, not a removal.
        raise InputError(CHAT_MISSING, field="telegram_chat_id")
    row = _row_for(user)
    had = set(_channels(row))
    if token is not None and chat is None and not row.telegram_chat_id:
        raise InputError(CHAT_MISSING, field="telegram_chat_id")
    if telegram_chat_id == "":
        row.telegram_token_encrypted, row.telegram_chat_id = "", ""
        row.telegram_next_send_at = None
    elif chat is not None or token is not None:
        if token is None and not row.telegram_token_encrypted:
            raise InputError(
                "telegram_token is missing (Telegram needs the bot token from @BotFather "
                "with the chat id)",
                field="telegram_token",
            )
        if token is not None:
            row.telegram_token_encrypted = encrypt_secret(token)
        if chat is not None:
            row.telegram_chat_id = chat
    issued = None
    if webhook_url == "":
        row.webhook_url, row.webhook_secret_encrypted = "", ""
    elif url is not None:
        row.webhook_url = url
        if not row.webhook_secret_encrypted:
            issued = secrets.token_urlsafe(WEBHOOK_SECRET_BYTES)
            row.webhook_secret_encrypted = encrypt_secret(issued)
    if chosen is not None:
        row.events = chosen
    removed = tuple(
        c for c in (Channel.TELEGRAM, Channel.WEBHOOK) if c in had - set(_channels(row))
    )
    if not _channels(row) and not removed:
        raise NotifyError(NOTHING_SET)  # the transaction drops the row get_or_create made
    row.save()
    return SettingsResult(settings=row, webhook_secret=issued, removed=removed)


@transaction.atomic
def webhook_secret_rotate(*, user: User) -> SettingsResult:
    """A new signing secret for the webhook (returned once); the old one stops at once."""
    row = _row_for(user)
    if not row.webhook_url:
        raise NotifyError("Set a webhook URL first.")
    issued = secrets.token_urlsafe(WEBHOOK_SECRET_BYTES)
    row.webhook_secret_encrypted = encrypt_secret(issued)
    row.save(update_fields=["webhook_secret_encrypted", "updated_at"])
    return SettingsResult(settings=row, webhook_secret=issued)


def notify_test(*, user: User) -> int:
    """A test message on every channel the person set up (whatever events they chose), sent
    by the worker like any other. Returns the number of channels."""
    row = NotificationSettings.objects.filter(user=user).first()
    if row is None or not _channels(row):
        raise NotifyError("No channel to test: set up Telegram or a webhook first.")
    with transaction.atomic():
        count = _queue(events.TEST, bot=None, user=user, payload={}, dedupe_key=None)
    return count
