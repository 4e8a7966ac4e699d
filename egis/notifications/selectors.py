"""Reads for the Settings card, the CLI and the API: a person's channels (secrets masked) and
their delivery log, newest first."""

from __future__ import annotations

from typing import Any

from egis.accounts.models import User
from egis.bots.models import Bot
from egis.notifications.events import EVENT_KINDS, EVENT_LABELS, message_text
from egis.notifications.models import Delivery, DeliveryStatus, NotificationSettings
from egis.venues.secrets import masked_secret

LOG_LIMIT = 20


def settings_of(user: User) -> NotificationSettings | None:
    return NotificationSettings.objects.filter(user=user).first()


def deliveries_of(user: User, *, limit: int = LOG_LIMIT) -> list[Delivery]:
    return with_bot_names(list(Delivery.objects.filter(user=user).order_by("-id")[:limit]))


def with_bot_names(rows: list[Delivery]) -> list[Delivery]:
    """Each row's bot name and symbol in its payload (in memory), one query for all: the event
    stores only the bot's id, so telling costs the order no extra read."""
    ids = {r.bot_id for r in rows if r.bot_id is not None and "bot_name" not in r.payload}
    if not ids:
        return rows
    names = {b["id"]: b for b in Bot.objects.filter(pk__in=ids).values("id", "name", "symbol")}
    for row in rows:
        bot = names.get(row.bot_id or 0)
        if bot is not None and "bot_name" not in row.payload:
            row.payload = {**row.payload, "bot_name": bot["name"], "symbol": bot["symbol"]}
    return rows


def delivery_json(row: Delivery) -> dict[str, Any]:
    return {
        "id": row.pk,
        "channel": row.channel,
        "event": row.event_kind,
        "bot_id": row.bot_id,
        "text": message_text(row.event_kind, row.payload, brand=False),
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "next_attempt_at": row.next_attempt_at.isoformat()
        if row.status == DeliveryStatus.PENDING
        else None,
    }


def notification_settings_json(user: User) -> dict[str, Any]:
    """What a page or the CLI may show: never a token or a secret, only that one is kept."""
    row = settings_of(user)
    chosen = list(EVENT_KINDS) if row is None else list(row.events or [])
    return {
        "telegram": {
            "configured": bool(row and row.telegram_on),
            "chat_id": row.telegram_chat_id if row else "",
            "token_masked": masked_secret(row.telegram_token_encrypted)
            if row and row.telegram_token_encrypted
            else "",
        },
        "webhook": {
            "configured": bool(row and row.webhook_on),
            "url": row.webhook_url if row else "",
        },
        "events": chosen,
        "event_choices": [{"value": k, "label": EVENT_LABELS[k]} for k in EVENT_KINDS],
    }
