"""Words for a person's notification settings: the answer to a save, and a refusal in the
words of the edge that shows it (the form's labels on the page, the flags on the CLI)."""

from __future__ import annotations

import re

from egis.notifications.models import Channel
from egis.notifications.services import SettingsResult

FIELD_KEYS = ("telegram_token", "telegram_chat_id", "webhook_url", "events")
FORM_LABELS = {
    "telegram_token": "Bot token",
    "telegram_chat_id": "Chat id",
    "webhook_url": "Webhook URL",
    "events": "Events",
}
CLI_FLAGS = {
    "telegram_token": "--telegram-token",
    "telegram_chat_id": "--telegram-chat",
    "webhook_url": "--webhook-url",
    "events": "--events",
}
_KEY = re.compile(r"\b(" + "|".join(FIELD_KEYS) + r")\b")
_NAMES: dict[str, str] = {Channel.TELEGRAM: "Telegram", Channel.WEBHOOK: "the webhook"}


def in_words(message: object, names: dict[str, str]) -> str:
    """`message` with each field key (telegram_chat_id, ...) replaced by its name in `names`."""
    text = _KEY.sub(lambda m: names[m.group(1)], str(message).rstrip())
    return text[:1].upper() + text[1:]


def saved_sentence(result: SettingsResult) -> str:
    """What a save did, plainly: where notifications go now (or that they are off), and that
    nothing will come when no event is chosen."""
    row = result.settings
    removed = " and ".join(_NAMES[c] for c in result.removed).replace("the webhook", "webhook")
    flags = ((Channel.TELEGRAM, row.telegram_on), (Channel.WEBHOOK, row.webhook_on))
    on = [_NAMES[channel] for channel, is_on in flags if is_on]
    parts = [f"{removed[:1].upper()}{removed[1:]} removed."] if removed else []
    if not on:
        parts.append("Notifications are off: no Telegram chat or webhook is set.")
        return " ".join(parts)
    parts.append(f"Notifications saved: sent to {' and '.join(on)}.")
    if not row.events:
        parts.append("No event is chosen, so nothing will be sent: tick what to be told about.")
    return " ".join(parts)
