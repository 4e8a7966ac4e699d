"""A bot's settings history for its owner: the audit trail of ONE bot (egis.audit), in words.

"Who changed my budget, my risk limits, my webhook, and when?" The admin Audit page lists every
object with the actors' names; this list is scoped to one bot the viewer may see (its owner or
an admin; anyone else gets None, the edges' 404) and says who in the viewer's terms
(egis.accounts.actor_words: "You", "An admin", "Egis"; to an admin, the recorded name).

The rows carry no secret (the audit never records a webhook's URL or secret, egis.signals.hooks)
and no address: an audit row has none. Money reads as every page writes it ("$1,000.00").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from egis.accounts.actor_words import actor_words
from egis.accounts.models import User
from egis.audit.models import AuditEntry
from egis.audit.selectors import field_label
from egis.bots.models import Bot
from egis.bots.selectors import bot_for_user
from egis.core.money import usd_display
from egis.core.when import when_text

HISTORY_CARD_SIZE = 10
OFF = "off"  # a risk limit that is not set (egis.ledger.risk audit_words)

# Labels without the form's unit: the value carries it ("$250.00", "60 s", "3x").
LABELS = {
    "name": "Name",
    "initial_budget_usd": "Budget",
    "leverage": "Leverage",
    "max_open_positions": "Max open positions",
    "max_order_usd": "Max per order",
    "cooldown_s": "Cooldown between opens",
    "daily_loss_limit_usd": "Daily loss limit",
}
MONEY_FIELDS = {"initial_budget_usd", "max_order_usd", "daily_loss_limit_usd"}
# Fields whose "after" alone says what happened.
EVENT_WORDS = {
    ("is_active", "active"): "Activated",
    ("is_active", "inactive"): "Deactivated: no new opens",
    ("paused", "paused"): "Paused: no new opens",
    ("paused", "running"): "Resumed",
    ("webhook", "created"): "Webhook created",
    ("webhook", "revoked"): "Webhook revoked: its URL and secret stopped working",
    ("signals", "on"): "Signals turned on",
    ("signals", "off"): "Signals turned off: new signals are recorded and rejected",
    ("deleted", "deleted"): "Bot deleted",
}
ROTATED_PREFIX = "rotated"
CLOSE_REQUESTED_PREFIX = "close requested: "


def _value(field: str, value: str) -> str:
    if not value:
        return "—"
    if value == OFF:
        return OFF
    if field in MONEY_FIELDS:
        try:
            return usd_display(Decimal(value))
        except InvalidOperation:
            return value
    if field == "cooldown_s":
        return f"{value} s"
    if field == "leverage":
        return f"{value}x"
    if field == "name":
        return f"“{value}”"
    return value


def change_words(field: str, before: str, after: str) -> str:
    """ "Budget $200.00 → $250.00", "Webhook rotated: a new URL and secret", "Activated"."""
    known = EVENT_WORDS.get((field, after))
    if known is not None:
        return known
    if field == "created":
        return f"Created as {after}" if after else "Created"
    if field == "webhook" and after.startswith(ROTATED_PREFIX):
        return "Webhook rotated: a new URL and secret, the old ones stopped working"
    if field == "close_all":
        listed = after.removeprefix(CLOSE_REQUESTED_PREFIX)
        return f"Close all requested: {listed}"
    label = LABELS.get(field) or field_label(field)
    return f"{label} {_value(field, before)} → {_value(field, after)}"


def history_row(entry: AuditEntry, *, viewer: User, owner_id: int) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.created_at.isoformat(),
        "when": when_text(entry.created_at),
        "who": actor_words(entry.actor_id, entry.actor_label, viewer=viewer, owner_id=owner_id),
        "field": entry.field,
        "words": change_words(entry.field, entry.before, entry.after),
    }


@dataclass(frozen=True)
class HistoryPage:
    items: list[dict[str, Any]]
    count: int
    page: int
    page_size: int

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "count": self.count,
            "page": self.page,
            "page_size": self.page_size,
            "pages": max(1, math.ceil(self.count / self.page_size)),
        }


def bot_settings_history(
    *, viewer: User, bot: Bot, page: int = 1, page_size: int = HISTORY_CARD_SIZE
) -> HistoryPage:
    """One page of the bot's audit rows, newest first (the audit_by_object index walks it); a
    page past the end is empty, as the signals list's. The caller has checked that the viewer
    may see the bot (bot_settings_history_for does both)."""
    rows = AuditEntry.objects.filter(object_type="bot", object_id=bot.pk)
    count = rows.count()
    start = (max(1, page) - 1) * page_size
    entries = list(rows.order_by("-id")[start : start + page_size]) if start < count else []
    items = [history_row(e, viewer=viewer, owner_id=bot.owner_id) for e in entries]
    return HistoryPage(items=items, count=count, page=page, page_size=page_size)


def bot_settings_history_for(
    *, viewer: User, bot_id: int, page: int = 1, page_size: int = HISTORY_CARD_SIZE
) -> HistoryPage | None:
    """The page, or None when the viewer may not see the bot (or it does not exist, or was
    deleted): the edges answer both with the same 404."""
    bot = bot_for_user(viewer, bot_id)
    if bot is None:
        return None
    return bot_settings_history(viewer=viewer, bot=bot, page=page, page_size=page_size)
