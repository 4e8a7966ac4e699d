"""What a bot's owner is told about its signals (egis.notifications): a rejected signal."""

from __future__ import annotations

from egis.notifications import events
from egis.notifications.services import notify
from egis.signals.models import Signal


def signal_rejected_notice(signal: Signal) -> None:
    notify(
        events.SIGNAL_REJECTED,
        bot=signal.bot_id,
        payload={"signal_id": signal.pk, "sender_id": signal.sender_id, "reason": signal.reason},
        dedupe_key=f"signal-rejected:{signal.pk}",
    )
