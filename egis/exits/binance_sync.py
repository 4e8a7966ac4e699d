"""Exits on Binance: placing them as conditional algo orders, and cancelling them before a close.

This is the seam the venue-neutral exit code (egis.exits.services, egis.exits.hooks) calls for
Binance exits, always outside any database transaction:

- `exits_place(exit_ids)`: each `placing` exit row (written and committed ahead, with
  its `client_algo_id`) is sent once to POST /fapi/v1/algoOrder as a STOP_MARKET,
  TAKE_PROFIT_MARKET or TRAILING_STOP_MARKET, `reduceOnly=true` with the exit's quantity (the
  bot's own executed quantity, never `closePosition`: several bots net into one account + symbol
  position), `workingType=MARK_PRICE`, `priceProtect=TRUE`. A clear answer makes it `resting`
  (with Binance's algoId); a refusal makes it `failed` (shown loudly, an incident); an unknown
  outcome leaves it `placing` for recovery to settle by lookup by clientAlgoId (nothing is sent
  twice: egis.exits.binance_recovery).
- `exits_cancel(exit_ids, why=...)`: before Egis closes a position itself (or replaces its
  exits), each live exit is cancelled and the cancel confirmed. A cancel whose outcome stays
  unknown blocks the close (`ExitCancelUnknown`) and raises an incident: a stale reduce-only
  stop left at Binance would otherwise fire on another bot's share of the netted position. An
  exit found fired meanwhile is booked as the close it was (`PositionClosedByExit`).
- `binance_exits_resize(position_id)`: after a partial close, exits resting at Binance with a
  quantity that is not the position's any more are cancelled and placed again with the remaining
  quantity (Binance does not modify untriggered conditional orders).

Venue calls are made outside any transaction; each status change is a compare-and-set on the
exit's status inside a short transaction that locks the bot first (egis.bots.locks).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from egis.core.choices import Venue
from egis.exits.binance_rows import (
    CANCELLED,
    DUPLICATE_CLIENT_ID,
    FIRED,
    REARM_MARK,
    STRAY,
    UNKNOWN,
    AlgoFactory,
    ExitStep,
    PositionClosedByExit,
    algo_request,
    cancel_incidents_close,
    default_algos,
    exit_incident,
    exit_label,
    exit_not_active,
    exit_transition,
    live_exits,
    mark_resting,
)
from egis.exits.errors import ExitCancelUnknown
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.models import IncidentKind, PositionStatus
from egis.venues.base import OrderNotFound, VenueError, VenueOutcomeUnknown, VenueRejected
from egis.venues.binance.algo import BinanceAlgoOrders

logger = logging.getLogger("egis.exits.binance")


def place_one(exit_row: Exit, algos: BinanceAlgoOrders) -> ExitStep:
    position = exit_row.position
    if position.status != PositionStatus.OPEN or position.qty <= 0:
        return exit_not_active(
            exit_row, to=ExitStatus.FAILED, why="the position is not open", report=None
        )
    try:
        request = algo_request(exit_row, position)
        request.params()  # refuse a malformed exit before anything is sent
    except (ValueError, KeyError) as exc:
        return exit_not_active(exit_row, to=ExitStatus.FAILED, why=str(exc), report=None)
    try:
        report = algos.place(request)
    except VenueRejected as exc:
        if exc.code == DUPLICATE_CLIENT_ID:
            # Binance already holds this clientAlgoId: it was placed before (a retried call).
            # Settle by lookup, never by a second placement.
            from egis.exits.binance_recovery import exit_settle_by_lookup

            return exit_settle_by_lookup(exit_row, algos=algos)
        return exit_not_active(
            exit_row, to=ExitStatus.FAILED, why=f"Binance refused it: {exc.message}", report=None
        )
    except VenueOutcomeUnknown as exc:
        error = f"placement outcome unknown ({exc.message}): recovery looks it up"
        Exit.objects.filter(pk=exit_row.pk, status=ExitStatus.PLACING).update(
            error=error, updated_at=timezone.now()
        )
        return ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, error)
    except VenueError as exc:  # unavailable or misconfigured: nothing was sent
        return exit_not_active(
            exit_row, to=ExitStatus.FAILED, why=f"not sent: {exc.message}", report=None
        )
    except Exception as exc:  # an adapter bug after sending: the fate is unknown, never a crash
        logger.exception("placing exit %s raised unexpectedly", exit_row.client_algo_id)
        error = f"placement outcome unknown ({type(exc).__name__}): recovery looks it up"
        Exit.objects.filter(pk=exit_row.pk, status=ExitStatus.PLACING).update(
            error=error, updated_at=timezone.now()
        )
        return ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, error)
    step = mark_resting(exit_row, report, via="placed")
    if step.outcome == STRAY:
        step = _remove_stray(exit_row, algos, report.algo_id)
    return step


def _remove_stray(exit_row: Exit, algos: BinanceAlgoOrders, algo_id: str) -> ExitStep:
    """An exit that reached Binance after its row was cancelled (a close ran meanwhile) must
    not rest there: a reduce-only order could fire on another bot's share. If the cancel
    fails, the drift check finds it (an open algo order the ledger does not know)."""
    try:
        algos.cancel(
            symbol=exit_row.symbol, client_algo_id=exit_row.client_algo_id, algo_id=algo_id
        )
    except VenueError as exc:
        message = (
            f"the {exit_label(exit_row)} {exit_row.client_algo_id} reached Binance after it was "
            f"cancelled in the ledger, and removing it failed: {exc.message}"
        )
        incident_id = exit_incident(
            exit_row, kind=IncidentKind.EXIT_CANCEL_UNKNOWN, error=message, key="exit-cancel"
        )
        return ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, message, incident_id)
    return ExitStep(
        exit_row.pk,
        exit_row.client_algo_id,
        CANCELLED,
        f"{exit_label(exit_row)} {exit_row.client_algo_id} arrived after its row was decided: "
        "cancelled at Binance",
    )


def exits_place(exit_ids: Iterable[int], *, algos_for: AlgoFactory = default_algos) -> None:
    """The seam (egis.exits.services): send each `placing` Binance exit once. Never raises for
    a venue's answer: each exit's row says what happened (failures loudly, with an incident)."""
    binance_exits_place(exit_ids, algos_for=algos_for)


def binance_exits_place(
    exit_ids: Iterable[int], *, algos_for: AlgoFactory = default_algos
) -> list[ExitStep]:
    steps = []
    rows = (
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(pk__in=list(exit_ids), venue=Venue.BINANCE_FUTURES, status=ExitStatus.PLACING)
        .order_by("id")
    )
    clients: dict[int, BinanceAlgoOrders] = {}
    for exit_row in rows:
        try:
            algos = clients.get(exit_row.bot_id) or algos_for(exit_row.bot)
        except VenueError as exc:
            steps.append(
                exit_not_active(
                    exit_row, to=ExitStatus.FAILED, why=f"not sent: {exc.message}", report=None
                )
            )
            continue
        clients[exit_row.bot_id] = algos
        steps.append(place_one(exit_row, algos))
    return steps


# --- cancelling ----------------------------------------------------------------------------


def cancel_one(exit_row: Exit, algos: BinanceAlgoOrders, *, why: str, actor: Any) -> ExitStep:
    from egis.exits.binance_recovery import exit_settle_by_lookup

    try:
        algos.cancel(
            symbol=exit_row.symbol,
            client_algo_id=exit_row.client_algo_id,
            algo_id=exit_row.venue_algo_id,
        )
    except OrderNotFound:
        # Binance holds no such open algo order: it fired, ended, or was never placed.
        return exit_settle_by_lookup(exit_row, algos=algos, cancelling=True)
    except VenueOutcomeUnknown as exc:
        # Ask once at once: a cancel that did happen shows as CANCELED.
        step = exit_settle_by_lookup(exit_row, algos=algos, cancelling=True)
        if step.outcome != UNKNOWN:
            return step
        message = (
            f"could not confirm the cancel of the {exit_label(exit_row)} "
            f"{exit_row.client_algo_id} of position #{exit_row.position_id} ({exc.message})"
        )
        incident_id = exit_incident(
            exit_row, kind=IncidentKind.EXIT_CANCEL_UNKNOWN, error=message, key="exit-cancel"
        )
        return ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, message, incident_id)
    except VenueError as exc:
        return ExitStep(
            exit_row.pk,
            exit_row.client_algo_id,
            UNKNOWN,
            f"could not cancel the {exit_label(exit_row)} {exit_row.client_algo_id}: {exc.message}",
        )
    detail = f"{exit_label(exit_row)} {exit_row.client_algo_id} cancelled at Binance ({why})"
    exit_transition(
        exit_row, to=ExitStatus.CANCELLED, action="exit_cancelled", reason=detail, actor=actor
    )
    cancel_incidents_close(exit_row, detail)
    return ExitStep(exit_row.pk, exit_row.client_algo_id, CANCELLED, detail)


def _cancel_rows(
    rows: Iterable[Exit], *, why: str, actor: Any, algos_for: AlgoFactory
) -> list[ExitStep]:
    steps = []
    clients: dict[int, BinanceAlgoOrders] = {}
    for exit_row in rows:
        try:
            algos = clients.get(exit_row.bot_id) or algos_for(exit_row.bot)
        except VenueError as exc:
            steps.append(ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, exc.message))
            continue
        clients[exit_row.bot_id] = algos
        steps.append(cancel_one(exit_row, algos, why=why, actor=actor))
    return steps


def binance_exits_cancel(
    position_id: int,
    *,
    why: str,
    exclude: Iterable[int] = (),
    actor: Any = None,
    algos_for: AlgoFactory = default_algos,
) -> list[ExitStep]:
    """Cancel every live Binance exit of a position (but `exclude`); each outcome returned,
    nothing raised (the sibling cancel after a trigger, the clean-up of a closed position)."""
    return _cancel_rows(
        live_exits(position_id, exclude=exclude), why=why, actor=actor, algos_for=algos_for
    )


def exits_cancel(
    exit_ids: Iterable[int],
    *,
    why: str,
    for_close: bool = False,
    actor: Any = None,
    algos_for: AlgoFactory = default_algos,
) -> list[ExitStep]:
    """The seam (egis.exits.hooks before a close, egis.exits.services before replacing exits):
    every live exit named is cancelled and the cancel confirmed, or this raises.

    `for_close`: the exits make way for a close Egis is about to send. They are marked so that,
    if that close leaves the position open (a partial fill, a refusal), the worker places them
    again for what is left (egis.exits.binance_recovery.binance_exits_rearm).

    ExitCancelUnknown: a cancel could not be confirmed (an incident names it when the outcome
    is unknown): what asked must not proceed. PositionClosedByExit: one of them had fired at
    Binance; its fill is booked as the close it was."""
    rows = list(
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(pk__in=list(exit_ids), venue=Venue.BINANCE_FUTURES, status__in=LIVE_EXIT_STATUSES)
        .order_by("id")
    )
    if for_close:
        # Marked before the cancels, so each cancel commits with its mark: a process killed
        # between a cancel and a later write would leave the position open and its exits gone
        # with nothing to place them again. A cancel that does not happen puts the error back.
        mark = f"{REARM_MARK}{why}"[:2000]
        Exit.objects.filter(pk__in=[r.pk for r in rows], status__in=LIVE_EXIT_STATUSES).update(
            error=mark
        )
    steps = _cancel_rows(rows, why=why, actor=actor, algos_for=algos_for)
    if for_close:
        for row, step in zip(rows, steps, strict=True):
            if step.outcome == UNKNOWN:
                Exit.objects.filter(pk=row.pk, status__in=LIVE_EXIT_STATUSES, error=mark).update(
                    error=row.error
                )
    fired = [s for s in steps if s.outcome == FIRED]
    if fired:
        position_id = rows[0].position_id
        raise PositionClosedByExit(
            f"Position #{position_id}: {fired[0].detail}. It fired at Binance before Egis "
            "could cancel it and is booked as the close it was; nothing else was sent.",
            position_id=position_id,
        )
    unknown = [s for s in steps if s.outcome == UNKNOWN]
    if unknown:
        incidents = sorted({s.incident_id for s in unknown if s.incident_id})
        raise ExitCancelUnknown(
            f"Nothing sent: {unknown[0].detail}. A stale reduce-only exit could fire on "
            "another bot's share of the netted position, so this waits until Binance confirms "
            "the exit is gone; try again"
            + (f" (incident #{incidents[0]})" if incidents else "")
            + ".",
            incident_ids=incidents,
        )
    return steps


__all__ = [
    "PositionClosedByExit",
    "binance_exits_cancel",
    "binance_exits_place",
    "cancel_one",
    "exits_cancel",
    "exits_place",
    "place_one",
]
