"""Resizing Binance exits after a partial close: Binance does not modify an untriggered
conditional order, so an exit whose resting quantity is not the position's any more is cancelled
(confirmed) and placed again with the remaining quantity under a fresh clientAlgoId. The
quantity compared is the one resting at Binance, not the row's (the venue-neutral hook resizes
the rows themselves inside settle's transaction, where no venue call may run).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from egis.bots.locks import lock_bot
from egis.core.figures import qty_text
from egis.exits.binance_rows import (
    CANCELLED,
    DEFERRED,
    REARM_MARK,
    SKIPPED,
    AlgoFactory,
    ExitStep,
    default_algos,
    exit_label,
    live_exits,
)
from egis.exits.binance_sync import cancel_one, place_one
from egis.exits.events import exit_event
from egis.exits.ids import new_client_algo_id
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.models import Position, PositionStatus
from egis.venues.base import VenueError
from egis.venues.binance.algo import BinanceAlgoOrders


def _venue_quantity(exit_row: Exit, algos: BinanceAlgoOrders) -> Decimal | None:
    try:
        report = algos.query(client_algo_id=exit_row.client_algo_id)
    except VenueError:
        return None
    return report.quantity if report.working else None


def exit_place_again(
    exit_row: Exit,
    position: Position,
    *,
    algos: BinanceAlgoOrders,
    reason: str,
    consume: tuple[str, str] | None = None,
    client_algo_id: str | None = None,
    action: str = "exit_resized",
) -> ExitStep:
    """A new exit like `exit_row` (which no longer rests) for the position's quantity, written
    ahead under a fresh clientAlgoId, then placed. Not while a close is in flight (or after
    it): that close's cancels ran before this row existed, so what it placed would outlive the
    position (DEFERRED; the caller keeps what it needs to place it again later).
    `consume` = (mark, replacement): `exit_row.error` is swapped by compare-and-set in the same
    transaction as the new row, so a process killed on either side leaves exactly one of them
    (SKIPPED if another worker took the mark, or the kind was set again meanwhile).
    `client_algo_id`: the new row's id when it is derived (egis.exits.binance_replace), else a
    fresh one; `action` names the new row's audit line."""
    with transaction.atomic():
        lock_bot(exit_row.bot_id)
        now = Position.objects.select_for_update().get(pk=position.pk)
        if now.status != PositionStatus.OPEN or now.closing_order_id is not None or now.qty <= 0:
            return ExitStep(
                exit_row.pk,
                exit_row.client_algo_id,
                DEFERRED,
                f"{exit_label(exit_row)} not placed again: position #{position.pk} is "
                + ("closing" if now.status == PositionStatus.OPEN else now.status),
            )
        position = now
        if consume is not None:
            mark, replacement = consume
            if not Exit.objects.filter(pk=exit_row.pk, error=mark).update(error=replacement):
                return ExitStep(exit_row.pk, exit_row.client_algo_id, SKIPPED, "taken meanwhile")
            if Exit.objects.filter(
                position_id=position.pk, kind=exit_row.kind, status__in=LIVE_EXIT_STATUSES
            ).exists():
                return ExitStep(exit_row.pk, exit_row.client_algo_id, SKIPPED, "set again")
        fresh = Exit.objects.create(
            position_id=position.pk,
            bot_id=exit_row.bot_id,
            venue=exit_row.venue,
            symbol=exit_row.symbol,
            kind=exit_row.kind,
            direction=exit_row.direction,
            trigger_price=exit_row.trigger_price,
            callback_pct=exit_row.callback_pct,
            activation_price=exit_row.activation_price,
            extreme_price=exit_row.extreme_price,
            spec=exit_row.spec,
            quantity=position.qty,
            client_algo_id=client_algo_id or new_client_algo_id(exit_row.bot_id),
            status=ExitStatus.PLACING,
        )
        exit_event(
            fresh,
            position=position,
            action=action,
            reason=f"{exit_label(fresh)} {reason}",
        )
    fresh = Exit.objects.select_related("position", "bot").get(pk=fresh.pk)
    return place_one(fresh, algos)


def binance_exits_resize(
    position_id: int,
    *,
    venue_quantities: dict[str, Decimal] | None = None,
    actor: Any = None,
    algos_for: AlgoFactory = default_algos,
) -> list[ExitStep]:
    """Exits resting at Binance with a quantity that is not the open position's any more
    (a partial close): cancelled, then placed again with the position's quantity under a fresh
    clientAlgoId (one live exit per kind at any time). The quantity compared is Binance's
    (`venue_quantities` by clientAlgoId, else looked up), not the row's."""
    position = Position.objects.filter(pk=position_id).first()
    if position is None or position.status != PositionStatus.OPEN or position.qty <= 0:
        return []
    steps: list[ExitStep] = []
    for exit_row in live_exits(position_id):
        if exit_row.status != ExitStatus.RESTING:
            continue
        algos = algos_for(exit_row.bot)
        resting = (venue_quantities or {}).get(exit_row.client_algo_id)
        if resting is None:
            resting = _venue_quantity(exit_row, algos)
        if resting is None or resting == position.qty:
            continue
        # Marked before the cancel, consumed with the replacement: a worker killed between
        # the two leaves the cancelled exit for binance_exits_rearm, not gone.
        why = "resized after a partial close"
        mark = f"{REARM_MARK}{why}"
        Exit.objects.filter(pk=exit_row.pk, status=ExitStatus.RESTING).update(error=mark)
        step = cancel_one(exit_row, algos, why=why, actor=actor)
        steps.append(step)
        if step.outcome != CANCELLED:
            Exit.objects.filter(pk=exit_row.pk, error=mark).update(error=exit_row.error)
            continue
        steps.append(
            exit_place_again(
                exit_row,
                position,
                algos=algos,
                reason=f"placed again for {qty_text(position.qty, symbol=position.symbol)} (was "
                f"{qty_text(resting, symbol=position.symbol)} at "
                "Binance) after a partial close",
                consume=(mark, f"cancelled ({why})"),
            )
        )
    return steps


__all__ = ["binance_exits_resize", "exit_place_again"]
