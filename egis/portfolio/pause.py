"""Pause and resume a bot: no new opens from any source (the page, the API, the CLI, a signal)
while paused; closes and exits still work. The preflight of every open refuses a paused bot
(egis.ledger.pipeline, under the bot lock); both changes are audited (egis.audit) in the
transaction that makes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from egis.accounts.models import User
from egis.audit.services import audit_record
from egis.bots.locks import LIVE_BOT_LOCKED
from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.core.when import when_text

PAUSED = "paused"
RUNNING = "running"


class PauseError(UserFacingError):
    code = "pause_refused"


def paused_message(bot: Bot) -> str:
    """Why an open is refused, in words (the time as the pages show it: egis.core.when)."""
    when = when_text(bot.paused_at) if bot.paused_at else "an unknown time"
    who = bot.paused_by or "someone"
    return (
        f"Paused by {who} at {when}: new opens are refused (manual, API and signals); closes "
        "and exits still work. Resume the bot to open again."
    )


def _pauser_words(actor: User | None, label: str, *, owner_id: int) -> str:
    """Who paused, as the bot's owner may read it (the pause shows on the owner's pages and in
    the refusals their signals get): the owner's own name, "Egis", or "an admin" for anyone
    else (another user's name is never shown to a trader, egis.accounts.actor_words; the audit
    row keeps the name for admins)."""
    if actor is not None and actor.pk == owner_id:
        return actor.username[:160]
    return "Egis" if actor is None and label == "system" else "an admin"


def bot_set_paused(
    *, bot_id: int, paused: bool, actor: User | None, actor_label: str | None = None
) -> tuple[Bot, bool]:
    """Pause (or resume) a bot; returns the bot and whether anything changed. Pausing a paused
    bot changes nothing and writes no audit row (the first pause keeps its who and when)."""
    label = actor_label or (actor.username if actor is not None else "system")
    with transaction.atomic():
        bot = LIVE_BOT_LOCKED.one(bot_id)
        if bot is None:
            raise PauseError(f"bot #{bot_id} does not exist")
        if bot.is_paused == paused:
            return bot, False
        before = PAUSED if bot.is_paused else RUNNING
        bot.paused_at = timezone.now() if paused else None
        bot.paused_by = _pauser_words(actor, label, owner_id=bot.owner_id) if paused else ""
        bot.save(update_fields=["paused_at", "paused_by"])
        audit_record(
            actor=actor,
            actor_label=actor_label,
            target=bot,
            field="paused",
            before=before,
            after=PAUSED if paused else RUNNING,
        )
        return bot, True
