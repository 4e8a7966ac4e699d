"""What the ledger tells a bot's owner (egis.notifications): fills, orders not booked, incidents,
drift, halts and the daily loss limit. Each builder is called where its event is written, inside
that transaction when there is one; `notify` never raises, so none of this can fail an order."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from egis.bots.models import Bot
from egis.core.money import plain, usd_str
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import IncidentKind, Order, OrderIntent, Position
from egis.ledger.realized_day import RealizedDay, realized_day, realized_day_change, utc_day
from egis.ledger.risk import daily_loss_refusal
from egis.notifications import events
from egis.notifications.services import PreparedNotice, notice_prepare, notify

DRIFT_KINDS = (IncidentKind.DRIFT, IncidentKind.SIGNAL_DRIFT)


def _s(value: object) -> str | None:
    return None if value is None else plain(value)  # type: ignore[arg-type]


def fill_notice(
    daily_loss_limit_usd: Decimal | None, order: Order, position: Position
) -> list[PreparedNotice]:
    """A booked fill (open or close, whole or partial): executed against requested. Settle
    calls it before its run of writes (the reads: one SELECT when nobody listens), and only
    when the bot's owner has notification settings at all (else nobody listens: no read), and
    writes what it returns after the run (egis.notifications.services.notices_write). Told
    once: settle's compare-and-set on the order books a fill once. `daily_loss_limit_usd` is
    the bot's limit, read by settle with the order."""
    if not order.executed_qty:
        return []
    opening = order.intent == OrderIntent.OPEN
    notices = [
        notice_prepare(
            events.FILL,
            bot_id=order.bot_id,
            payload={
                "intent": order.intent,
                "side": position.side,
                "order_status": order.status,
                "client_order_id": order.client_order_id,
                "position_id": position.pk,
                "requested_qty": _s(order.requested_qty),
                "executed_qty": _s(order.executed_qty),
                "avg_price": _s(order.avg_price),
                "requested_usd": usd_str(
                    position.requested_size_usd if opening else order.requested_usd
                ),
                "size_usd": usd_str(position.size_usd if opening else order.cum_quote_usd),
                "fee_usd": usd_str(order.fee_usd),
                "realized_pnl_usd": None if opening else usd_str(position.realized_pnl_usd),
            },
        )
    ]
    limit = daily_loss_limit_usd
    if limit is not None and not opening:
        notices.append(_daily_loss_check(limit, order, position))
    return [n for n in notices if n is not None]


def fee_completed_notices(order: Order, position: Position, fee: Decimal) -> list[PreparedNotice]:
    """A fill's fee completed later (egis.ledger.settle.fee_complete) may take the fill's day to
    the daily loss limit: told then. Read before the fee is written; a fill of an earlier day
    changes only that day, whose halt is over."""
    usd = _daily_loss_limit(order.bot_id)
    settled = order.settled_at
    if usd is None or settled is None or utc_day(settled) != utc_day(timezone.now()):
        return []
    completed = copy.copy(order)
    completed.fee_usd = fee
    grown = copy.copy(position)
    grown.fees_usd = position.fees_usd + (fee - order.fee_usd)
    notice = _daily_loss_check(usd, completed, grown)
    return [notice] if notice is not None else []


def daily_loss_watch(bot_id: int) -> tuple[Decimal, RealizedDay] | None:
    """Before a change to the bot's realized PnL made outside settle (a position closed in the
    ledger by an incident's resolution): the bot's limit and its day so far, or None."""
    usd = _daily_loss_limit(bot_id)
    return None if usd is None else (usd, realized_day(bot_id, timezone.now()))


def _daily_loss_limit(bot_id: int) -> Decimal | None:
    return Bot.objects.filter(pk=bot_id).values_list("daily_loss_limit_usd", flat=True).first()


def daily_loss_told(
    bot_id: int, watched: tuple[Decimal, RealizedDay] | None, position_id: int
) -> list[PreparedNotice]:
    """After that change (written): told if it took the day to the limit."""
    if watched is None:
        return []
    usd, before = watched
    now = timezone.now()
    hit = daily_loss_refusal(usd, realized_day(bot_id, now), now)
    if hit is None or daily_loss_refusal(usd, before, now) is not None:
        return []
    payload = {**hit.details, "position_id": position_id}
    notice = notice_prepare(events.DAILY_LOSS_LIMIT, bot_id=bot_id, payload=payload)
    return [notice] if notice is not None else []


def _daily_loss_check(limit: Decimal, order: Order, position: Position) -> PreparedNotice | None:
    """Told by the fill (a close, whole or partial, or a fee completed later) that takes its
    day's realized PnL to the limit. Read before the fill is written: the day's steps without
    it, then with it (egis.ledger.realized_day). The day is the fill's own (settle stamps it),
    not the clock's when this runs."""
    now = order.settled_at or timezone.now()
    before, after = realized_day_change(order.bot_id, now, (order, position))
    hit = daily_loss_refusal(limit, after, now)
    if hit is None or daily_loss_refusal(limit, before, now) is not None:
        return None
    payload = {**hit.details, "position_id": position.pk}
    return notice_prepare(events.DAILY_LOSS_LIMIT, bot_id=order.bot_id, payload=payload)


def exit_triggered_notice(
    *,
    bot_id: int,
    position_id: int,
    exit_id: int,
    exit_kind: str,
    trigger_price: object = None,
    detail: str = "",
) -> None:
    """An exit (take-profit, stop-loss, trailing) fired and its position is being closed. For
    the exits engine to call where it marks the exit triggered, in that transaction."""
    notify(
        events.EXIT_TRIGGERED,
        bot=bot_id,
        payload={
            "position_id": position_id,
            "exit_id": exit_id,
            "exit_kind": exit_kind,
            "trigger_price": None if trigger_price is None else str(trigger_price),
            "detail": detail,
        },
        dedupe_key=f"exit:{exit_id}",
    )


def not_booked_notice(order: Order, exc: OrderNotBooked) -> OrderNotBooked:
    """The venue refused or failed the order, or its outcome is unknown or unbooked."""
    notify(
        events.ORDER_NOT_BOOKED,
        bot=order.bot_id,
        payload={
            "client_order_id": exc.client_order_id,
            "intent": order.intent,
            "code": exc.code,
            "order_status": str(exc.order_status),
            "message": exc.message,
            "incident_id": exc.incident_id,
        },
        dedupe_key=f"not-booked:{order.client_order_id}:{exc.code}",
    )
    return exc


def incident_notice(
    *, incident_id: int, kind: str, bot_id: int | None, error: str, client_order_id: str
) -> None:
    if bot_id is None:
        return
    drift = kind in DRIFT_KINDS
    notify(
        events.DRIFT_FOUND if drift else events.INCIDENT_OPENED,
        bot=bot_id,
        payload={
            "incident_id": incident_id,
            "kind": kind,
            "client_order_id": client_order_id,
            "error" if not drift else "detail": error[:500],
        },
        dedupe_key=f"incident:{incident_id}",
    )


def halt_notice(bot_ids: Iterable[int], *, halted: bool, reason: str = "") -> None:
    """Bots that just went from running to halted for new opens, or back."""
    for bot_id in bot_ids:
        notify(events.BOT_HALTED, bot=bot_id, payload={"halted": halted, "reason": reason})
