"""A signal's orders: the keys that tie each to its signal and step, the read of them, and the
closes a signal sends (egis.signals.processing runs them)."""

from __future__ import annotations

from egis.bots.models import Bot
from egis.core.rows import RowQuery
from egis.ledger.errors import PositionBusy, PositionNotOpen
from egis.ledger.models import CloseReason, Order, Position
from egis.ledger.pipeline import order_close
from egis.ledger.settle import OrderResult
from egis.signals.claims import renew
from egis.signals.models import Signal
from egis.venues.base import VenueAdapter

# A signal's orders: their idempotency keys start with `sig<id>-` (signal_key), i.e. lie in
# [`sig<id>-`, `sig<id>.`) ('.' follows '-'): a range on the (bot, key) unique index.
_ORDERS_OF_SIGNAL = RowQuery(
    Order, "bot_id = %s AND idempotency_key >= %s AND idempotency_key < %s", order_by="id"
)


def signal_key(signal_id: int, step: str) -> str:
    return f"sig{signal_id}-{step}"


def signal_orders(signal: Signal) -> list[Order]:
    prefix = signal_key(signal.pk, "")
    return _ORDERS_OF_SIGNAL.all(signal.bot_id, prefix, prefix[:-1] + ".")


def close_each(
    signal: Signal,
    bot: Bot,
    closes: list[Position],
    placed: set[str | None],
    results: list[OrderResult],
    venue: VenueAdapter | None,
) -> str:
    """Close the positions in order, one close-intent order each, keyed to the signal's step.
    A position with an order in flight (an earlier close, or its own open, whose outcome the
    venue has not told yet) is left to it and the others are closed, as Close all does; one
    closed meanwhile (an exit fired) needs nothing. Returns what was left, in words ("" for
    none)."""
    left = []
    for position in closes:
        key = signal_key(signal.pk, f"close-{position.pk}")
        if key in placed:
            continue
        if results:
            renew(signal)
        try:
            results.append(
                order_close(
                    bot_id=bot.pk,
                    position_id=position.pk,
                    venue=venue,
                    idempotency_key=key,
                    reason=CloseReason.SIGNAL,
                    loaded=bot,
                )
            )
        except PositionNotOpen:
            continue
        except PositionBusy as busy:  # "Position #3 is already closing." / "is still opening"
            left.append(busy.message.split(":")[0].rstrip(".").replace("Position", "position", 1))
    if not left:
        return ""
    return f"{', '.join(left)} (an order in flight): left to {'it' if len(left) == 1 else 'them'}"
