"""What Binance says about one exit, and what the ledger makes of it; the worker's poll of
resting exits; recovery of exits left `placing`.

Every decision is a lookup by clientAlgoId (GET /fapi/v1/algoOrder), never a second placement:

- NEW / TRIGGERING: resting (a `placing` exit becomes `resting`);
- TRIGGERED / FINISHED with an `actualOrderId`: it fired; its order is booked as the close of its
  position (egis.exits.binance_trigger) and its siblings are cancelled;
- CANCELED after a cancel of ours: `cancelled`. CANCELED by anyone else, EXPIRED (by the system)
  or REJECTED (the matching engine refused the triggered order): the exit no longer protects
  the position: `expired` / `failed`, shown loudly, and an incident (`exit_not_active`);
- not found: a `placing` exit is declared never placed (`failed`, loud) only once it is older
  than EGIS_RECOVERY_NOT_FOUND_GRACE_S, so a lookup that lags the placement is not mistaken for
  a refusal (as recovery treats orders); the re-arm pass places it again under a derived id
  while its position stays open, a few times at most (egis.exits.binance_replace). A cancel
  that finds nothing has nothing left to cancel.

The poll reads GET /fapi/v1/openAlgoOrders once per account + symbol and looks up only the exits
missing from it, so a quiet book costs one request per account + symbol.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.figures import qty_text
from egis.exits.binance_replace import binance_exits_replace, exit_never_placed
from egis.exits.binance_rows import (
    CANCELLED,
    ENDED,
    PART_FILL_MARK,
    REARM_MARK,
    RESTING,
    SKIPPED,
    UNKNOWN,
    AlgoFactory,
    ExitStep,
    cancel_incidents_close,
    default_algos,
    exit_incident,
    exit_label,
    exit_not_active,
    exit_transition,
    mark_resting,
)
from egis.exits.models import Exit, ExitStatus
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Incident,
    IncidentKind,
    Order,
    OrderIntent,
    PositionStatus,
)
from egis.venues.base import OrderNotFound, VenueError
from egis.venues.binance.algo import ALGO_CANCELED, ALGO_EXPIRED, BinanceAlgoOrders

logger = logging.getLogger("egis.exits.binance")

NOT_FOUND = "not_found"


def _cancel_was_ours(exit_row: Exit) -> bool:
    return Incident.objects.filter(
        kind=IncidentKind.EXIT_CANCEL_UNKNOWN,
        dedupe_key=f"exit-cancel:{exit_row.client_algo_id}",
    ).exists()


def _past_grace(exit_row: Exit) -> bool:
    grace = timedelta(seconds=settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S)
    return timezone.now() - exit_row.created_at >= grace


def exit_settle_by_lookup(
    exit_row: Exit, *, algos: BinanceAlgoOrders, cancelling: bool = False
) -> ExitStep:
    """Ask Binance for the exit by clientAlgoId and book what it says (see the module doc).
    `cancelling`: Egis is cancelling it (a close waits on the answer)."""
    cid = exit_row.client_algo_id
    try:
        report = algos.query(client_algo_id=cid)
    except OrderNotFound:
        if not cancelling:
            return ExitStep(exit_row.pk, cid, NOT_FOUND, f"Binance does not know {cid}")
        if exit_row.status == ExitStatus.PLACING and not _past_grace(exit_row):
            # Its placement's answer was lost: "not found" so soon can be Binance's lag, as
            # recovery judges it. Gone only once it is older than the grace period.
            message = (
                f"Binance does not show the {exit_label(exit_row)} {cid} yet; its placement's "
                "answer was lost, so it may still be resting there"
            )
            incident_id = exit_incident(
                exit_row, kind=IncidentKind.EXIT_CANCEL_UNKNOWN, error=message, key="exit-cancel"
            )
            return ExitStep(exit_row.pk, cid, UNKNOWN, message, incident_id)
        detail = f"{exit_label(exit_row)} {cid}: Binance holds nothing under this id to cancel"
        exit_transition(exit_row, to=ExitStatus.CANCELLED, action="exit_cancelled", reason=detail)
        cancel_incidents_close(exit_row, detail)
        return ExitStep(exit_row.pk, cid, CANCELLED, detail)
    except VenueError as exc:
        return ExitStep(exit_row.pk, cid, UNKNOWN, f"lookup of {cid} failed: {exc.message}")
    if report.fired:
        from egis.exits.binance_trigger import exit_book_trigger

        step = exit_book_trigger(exit_row, report, algos=algos)
        if step.outcome != UNKNOWN:
            cancel_incidents_close(exit_row, step.detail)
        return step
    if report.working:
        if cancelling:
            return ExitStep(exit_row.pk, cid, UNKNOWN, f"Binance still lists {cid} as resting")
        if exit_row.status == ExitStatus.PLACING:
            return mark_resting(exit_row, report, via="found by lookup")
        return ExitStep(exit_row.pk, cid, RESTING, f"{cid} still resting")
    if report.dead:
        ours = cancelling or _cancel_was_ours(exit_row)
        if report.status == ALGO_CANCELED and ours:
            detail = f"{exit_label(exit_row)} {cid} cancelled at Binance"
            exit_transition(
                exit_row, to=ExitStatus.CANCELLED, action="exit_cancelled", reason=detail
            )
            cancel_incidents_close(exit_row, detail)
            return ExitStep(exit_row.pk, cid, CANCELLED, detail)
        expired = report.status in (ALGO_EXPIRED, ALGO_CANCELED)
        to = ExitStatus.EXPIRED if expired else ExitStatus.FAILED
        if cancelling:
            # It ended on its own while Egis was removing it anyway: nothing rests there.
            detail = f"{exit_label(exit_row)} {cid} had already ended at Binance ({report.status})"
            exit_transition(exit_row, to=to, action=f"exit_{to}", reason=detail, error=detail)
            cancel_incidents_close(exit_row, detail)
            return ExitStep(exit_row.pk, cid, ENDED, detail)
        why = {
            ALGO_EXPIRED: "Binance reports it EXPIRED (cancelled by the system)",
            ALGO_CANCELED: "Binance reports it CANCELED, not by Egis",
        }.get(report.status, f"Binance reports it {report.status} (its order was refused)")
        return exit_not_active(exit_row, to=to, why=why, report=report)
    return ExitStep(
        exit_row.pk, cid, UNKNOWN, f"{cid} is {report.status or 'in an undocumented state'}"
    )


# --- the worker's poll -------------------------------------------------------------------


@dataclass
class ExitSyncReport:
    steps: list[ExitStep] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    checked: int = 0

    def summary_line(self) -> str:
        counts: dict[str, int] = defaultdict(int)
        for step in self.steps:
            counts[step.outcome] += 1
        done = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        return (
            f"{self.checked} Binance exits checked"
            + (f": {done}" if done else "")
            + (f"; {len(self.errors)} errors" if self.errors else "")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary_line(),
            "checked": self.checked,
            "steps": [s.as_json() for s in self.steps],
            "errors": self.errors,
        }


def _binance_exits(status: str) -> list[Exit]:
    return list(
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(venue=Venue.BINANCE_FUTURES, status=status)
        .order_by("id")
    )


def binance_exits_rearm(
    *, now: datetime | None = None, algos_for: AlgoFactory = default_algos
) -> list[ExitStep]:
    """Exits cancelled to make way for a close (`REARM_MARK`) whose position is still open once
    that close is over (it filled in part, or was refused, or never got sent), exits whose
    own order filled in part (`PART_FILL_MARK`) and that the process booking it did not place
    again (it died), and exits Binance never received (`NEVER_PLACED_MARK`,
    egis.exits.binance_replace): placed again for the position's quantity, so a position is
    never left without the exits its owner set."""
    from egis.exits.binance_resize import exit_place_again

    now = now or timezone.now()
    timeout = timedelta(seconds=settings.EGIS_RECOVERY_TIMEOUT_S)
    algos_for = _per_account(algos_for)
    rows = (
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(
            Q(status=ExitStatus.CANCELLED, error__startswith=REARM_MARK)
            | Q(status=ExitStatus.TRIGGERED, error=PART_FILL_MARK),
            venue=Venue.BINANCE_FUTURES,
            position__status=PositionStatus.OPEN,
            position__qty__gt=0,
            position__closing_order__isnull=True,  # no close in flight
        )
        .order_by("id")
    )
    steps = []
    for exit_row in rows:
        position = exit_row.position
        ended = exit_row.ended_at or exit_row.updated_at
        fired = exit_row.status == ExitStatus.TRIGGERED
        close_over = not fired and (
            Order.objects.filter(
                position_id=position.pk, intent=OrderIntent.CLOSE, created_at__gte=ended
            )
            .exclude(status__in=IN_FLIGHT_ORDER_STATUSES)
            .exists()
        )
        if not close_over and now - ended < timeout:
            continue  # the close may still be on its way, or its booker placing it again
        try:
            algos = algos_for(exit_row.bot)
        except VenueError as exc:
            steps.append(ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, exc.message))
            continue
        size = qty_text(position.qty, symbol=position.symbol)
        if fired:
            reason = f"rests again for {size}: its order filled in part"
            replacement = ""  # the triggered exit's error, as its booking left it
        else:
            why = exit_row.error[len(REARM_MARK) :]
            reason = f"rests again for {size}: the close it made way for left the position open"
            replacement = f"cancelled for a close ({why}); the position stayed open"[:2000]
        # Compare-and-set on the mark, with the new row: one worker places it again, once;
        # a close started meanwhile (DEFERRED) leaves the mark for when it is over.
        step = exit_place_again(
            exit_row, position, algos=algos, reason=reason, consume=(exit_row.error, replacement)
        )
        if step.outcome == SKIPPED:
            continue
        steps.append(step)
    steps.extend(binance_exits_replace(algos_for=algos_for))  # exits never placed
    return steps


def _per_account(algos_for: AlgoFactory) -> AlgoFactory:
    """`algos_for`, made once per exchange account for a whole pass."""
    made: dict[int | None, BinanceAlgoOrders] = {}

    def factory(bot: Bot) -> BinanceAlgoOrders:
        if bot.exchange_account_id not in made:
            made[bot.exchange_account_id] = algos_for(bot)
        return made[bot.exchange_account_id]

    return factory


def _same_client(algos: BinanceAlgoOrders) -> AlgoFactory:
    """One client per account for a whole pass (each new one costs a TLS context)."""

    def factory(_bot: Bot) -> BinanceAlgoOrders:
        return algos

    return factory


def binance_exits_poll(*, algos_for: AlgoFactory = default_algos) -> ExitSyncReport:
    """One pass over the resting Binance exits: what fired is booked (and its siblings
    cancelled), what ended is loud, exits of a position the ledger closed are cancelled, and
    exits resting with another quantity than their position's are resized."""
    from egis.exits.binance_resize import binance_exits_resize
    from egis.exits.binance_sync import cancel_one

    report = ExitSyncReport()
    algos_for = _per_account(algos_for)
    try:
        report.steps.extend(binance_exits_rearm(algos_for=algos_for))
    except Exception as exc:
        logger.exception("placing exits again after a close failed")
        report.errors.append(f"rearm: {type(exc).__name__}: {exc}")
    groups: dict[tuple[int, str], list[Exit]] = defaultdict(list)
    for exit_row in _binance_exits(ExitStatus.RESTING):
        groups[(exit_row.bot.exchange_account_id or 0, exit_row.symbol)].append(exit_row)
    for (account_id, symbol), rows in groups.items():
        report.checked += len(rows)
        try:
            algos = algos_for(rows[0].bot)
            resting = {r.client_algo_id: r for r in algos.open_orders(symbol) if r.working}
        except VenueError as exc:
            report.errors.append(f"account #{account_id} {symbol}: {exc.message}")
            continue
        resize: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for exit_row in rows:
            try:
                venue_row = resting.get(exit_row.client_algo_id)
                if venue_row is None:
                    report.steps.append(exit_settle_by_lookup(exit_row, algos=algos))
                elif exit_row.position.status != PositionStatus.OPEN:
                    report.steps.append(
                        cancel_one(exit_row, algos, why="its position is closed", actor=None)
                    )
                elif venue_row.quantity != exit_row.position.qty:
                    resize[exit_row.position_id][exit_row.client_algo_id] = venue_row.quantity
            except Exception as exc:  # one exit's trouble never stalls the others
                logger.exception("poll of exit %s failed", exit_row.client_algo_id)
                report.errors.append(f"{exit_row.client_algo_id}: {type(exc).__name__}: {exc}")
        for position_id, quantities in resize.items():
            report.steps.extend(
                binance_exits_resize(
                    position_id, venue_quantities=quantities, algos_for=_same_client(algos)
                )
            )
    return report


def binance_exits_recover(
    *,
    now: datetime | None = None,
    timeout_s: int | None = None,
    algos_for: AlgoFactory = default_algos,
) -> ExitSyncReport:
    """Exits left `placing` (the placement's answer was lost, or the process died around it):
    settled by lookup by clientAlgoId once older than EGIS_RECOVERY_TIMEOUT_S; never resent
    under the same id. One judged never placed is placed again under a new id by the re-arm
    pass while its position stays open (egis.exits.binance_replace)."""
    now = now or timezone.now()
    timeout = settings.EGIS_RECOVERY_TIMEOUT_S if timeout_s is None else timeout_s
    grace = timedelta(seconds=settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S)
    algos_for = _per_account(algos_for)
    report = ExitSyncReport()
    for exit_row in _binance_exits(ExitStatus.PLACING):
        age = now - exit_row.created_at
        if age < timedelta(seconds=timeout):
            continue  # its own request may still be waiting for Binance
        report.checked += 1
        try:
            step = exit_settle_by_lookup(exit_row, algos=algos_for(exit_row.bot))
        except Exception as exc:
            logger.exception("recovery of exit %s failed", exit_row.client_algo_id)
            report.errors.append(f"{exit_row.client_algo_id}: {type(exc).__name__}: {exc}")
            continue
        if step.outcome == NOT_FOUND and age >= grace:
            # Failed and loud; placed again by the next re-arm pass while attempts remain.
            step = exit_never_placed(exit_row, age_s=int(age.total_seconds()))
            cancel_incidents_close(exit_row, step.detail)  # a close that waited on it may go
        report.steps.append(step)
    return report


__all__ = [
    "ExitSyncReport",
    "binance_exits_poll",
    "binance_exits_rearm",
    "binance_exits_recover",
    "exit_settle_by_lookup",
]
