"""A missed alert, noticed through the sender's `prev` (egis.signals.processing): the sender
believed another state than the ledger's. Loud and halting: a signal-drift incident, and opens
halted for the bot until an admin resolves it, unless Egis's own exit explains the difference."""

from __future__ import annotations

import logging

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.ledger.incidents import incident_record
from egis.ledger.models import CloseReason, IncidentKind, Position, PositionStatus
from egis.ledger.notices import halt_notice
from egis.ledger.selectors import open_incident_of_bot
from egis.reconcile.drift import DRIFT_HALT_PREFIX
from egis.signals.models import Signal
from egis.signals.payload import SignalAction

logger = logging.getLogger("egis.signals")

DRIFT_REASON_PREFIX = "signal drift: "  # how signal_drift's reasons begin (a signal's reason)
_EXIT_REASONS = (CloseReason.TAKE_PROFIT, CloseReason.STOP_LOSS, CloseReason.TRAILING_STOP)


def closed_by_own_exit(bot_id: int, *, prev: str, actual: str) -> bool:
    """The sender believed `prev` and the bot is flat because Egis's own exit closed that
    position: not a missed alert. A TradingView strategy does not see Egis's take-profit or
    stop-loss fire, so its `prev` still names the position the exit closed. Only when that
    position is the bot's latest one (no signal has moved the bot since)."""
    if actual != "flat":
        return False
    latest = Position.objects.filter(bot_id=bot_id).order_by("-pk").first()
    return (
        latest is not None
        and latest.status == PositionStatus.CLOSED
        and latest.side == prev
        and latest.close_reason in _EXIT_REASONS
    )


def signal_drift(signal: Signal, bot: Bot, action: SignalAction, actual: str) -> str:
    """The sender believed another state than the ledger's: a missed alert. Loud and halting.

    One open signal-drift incident per bot: while it is open, every later signal that is still
    out of step is refused with a pointer to it (an alert source stuck out of step would
    otherwise fill the Incidents page with one incident per alert)."""
    what = f"the sender believed {action.prev}, the bot is {actual}"
    lock_bot(bot.pk)
    open_drift = open_incident_of_bot(bot.pk, kind=IncidentKind.SIGNAL_DRIFT)
    if open_drift is not None:
        return (
            f"{DRIFT_REASON_PREFIX}{what}; opens stay halted until incident #{open_drift.pk} is "
            "resolved"
        )
    incident = incident_record(
        kind=IncidentKind.SIGNAL_DRIFT,
        bot_id=bot.pk,
        intent="",
        payload={
            "signal_id": signal.pk,
            "prev": action.prev,
            "ledger": actual,
            "bot_ids": [bot.pk],
            "symbol": bot.symbol,
        },
        error=f"signal drift (missed alert?): signal #{signal.pk}: {what}",
        dedupe_key=f"signal-drift:{signal.pk}",
    )
    reason = f"{DRIFT_HALT_PREFIX}missed signal: {what} (incident #{incident.pk})"
    if Bot.objects.filter(pk=bot.pk, halted_reason="").update(halted_reason=reason[:300]):
        halt_notice([bot.pk], halted=True, reason=reason[:300])
    logger.error("signal drift on bot #%s (signal #%s): %s", bot.pk, signal.pk, what)
    return f"{DRIFT_REASON_PREFIX}{what}; opens halted (incident #{incident.pk})"
