"""The Binance side's exit rows: what one venue step did (`ExitStep`), the conditional order an
exit is (`algo_request`), and the audited compare-and-set status changes every Binance module
uses (the bot is locked first, as egis.bots.locks orders it). No venue call here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.figures import price_text, qty_text
from egis.exits.events import exit_event
from egis.exits.ids import chain_root, replacement_attempt
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitKind, ExitStatus
from egis.ledger.errors import OrderRefused
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, IncidentKind, IncidentStatus, Position, PositionSide
from egis.venues.base import (
    VenueError,
)
from egis.venues.binance.algo import (
    STOP_MARKET,
    TAKE_PROFIT_MARKET,
    TRAILING_STOP_MARKET,
    AlgoOrderRequest,
    AlgoReport,
    BinanceAlgoOrders,
)
from egis.venues.binance.venue import account_client

logger = logging.getLogger("egis.exits.binance")

AlgoFactory = Callable[[Bot], BinanceAlgoOrders]

ORDER_TYPE_OF_KIND = {
    ExitKind.STOP_LOSS: STOP_MARKET,
    ExitKind.TAKE_PROFIT: TAKE_PROFIT_MARKET,
    ExitKind.TRAILING_STOP: TRAILING_STOP_MARKET,
}
KIND_LABEL: dict[str, str] = {
    ExitKind.STOP_LOSS: "stop-loss",
    ExitKind.TAKE_PROFIT: "take-profit",
    ExitKind.TRAILING_STOP: "trailing stop",
}
DUPLICATE_CLIENT_ID = -4116

# Outcomes of one exit's venue step.
RESTING = "resting"
FAILED = "failed"
UNKNOWN = "unknown"
CANCELLED = "cancelled"
FIRED = "fired"
ENDED = "ended"
# The `error` of an exit cancelled to make way for a close: placed again if the position stays
# open (egis.exits.binance_recovery.binance_exits_rearm).
REARM_MARK = "cancelled for a close; rests again if the position stays open: "
# The `error` of an exit whose order filled in part, written with its booking: consumed with the
# replacement row, so a process killed in between leaves it to binance_exits_rearm.
PART_FILL_MARK = "fired in part; rests again for the rest of the position"
# The `error` of an exit Binance never received (failed, with its incident), written with that
# verdict: placed again under a derived id while its position stays open
# (egis.exits.binance_replace); the mark is consumed with the replacement row.
NEVER_PLACED_MARK = "never placed, to be placed again: "
NEVER_PLACED_SUPERSEDED = "never placed; not placed again: its owner changed this exit since: "
SKIPPED = "skipped"  # another worker placed it again, or it was set again meanwhile
DEFERRED = "deferred"  # not placed again: a close of its position is in flight
STRAY = "stray"  # rests at Binance though its row was decided otherwise meanwhile


class PositionClosedByExit(OrderRefused):
    """An exit of the position fired at Binance before Egis could close it: it is booked as the
    close it was, and no second close is sent."""

    code = "closed_by_exit"
    http_status = 409


@dataclass(frozen=True)
class ExitStep:
    exit_id: int
    client_algo_id: str
    outcome: str
    detail: str
    incident_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "exit_id": self.exit_id,
            "client_algo_id": self.client_algo_id,
            "outcome": self.outcome,
            "detail": self.detail,
            "incident_id": self.incident_id,
        }


def marks_superseded(position_id: int, kinds: Iterable[str]) -> int:
    """The owner set or cleared these kinds (inside that change's transaction): an exit of them
    still waiting to be placed again (REARM_MARK, PART_FILL_MARK) is not placed any more, so
    the owner's last word wins over what rested before. Returns how many were waiting."""
    kinds = list(kinds)
    mine = Exit.objects.filter(position_id=position_id, kind__in=kinds)
    waiting = mine.filter(status=ExitStatus.CANCELLED, error__startswith=REARM_MARK).update(
        error="cancelled for a close; not placed again: its owner changed this exit since"
    )
    waiting += mine.filter(status=ExitStatus.FAILED, error__startswith=NEVER_PLACED_MARK).update(
        error=Concat(Value(NEVER_PLACED_SUPERSEDED), Substr("error", len(NEVER_PLACED_MARK) + 1))
    )
    return waiting + mine.filter(status=ExitStatus.TRIGGERED, error=PART_FILL_MARK).update(error="")


def default_algos(bot: Bot) -> BinanceAlgoOrders:
    if bot.exchange_account is None:
        raise VenueError(f"Bot #{bot.pk} has no exchange account.")
    return BinanceAlgoOrders(account_client(bot.exchange_account))


def exit_label(exit_row: Exit) -> str:
    return KIND_LABEL.get(exit_row.kind, exit_row.kind)


def algo_request(exit_row: Exit, position: Position) -> AlgoOrderRequest:
    """The conditional order for an exit: the side that closes the position, its quantity."""
    trailing = exit_row.kind == ExitKind.TRAILING_STOP
    return AlgoOrderRequest(
        client_algo_id=exit_row.client_algo_id,
        symbol=exit_row.symbol,
        side="sell" if position.side == PositionSide.LONG else "buy",
        order_type=ORDER_TYPE_OF_KIND[ExitKind(exit_row.kind)],
        quantity=exit_row.quantity,
        trigger_price=None if trailing else exit_row.trigger_price,
        callback_rate=exit_row.callback_pct if trailing else None,
        activate_price=exit_row.activation_price if trailing else None,
    )


def live_exits(position_id: int, *, exclude: Iterable[int] = ()) -> list[Exit]:
    return list(
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(
            position_id=position_id,
            venue=Venue.BINANCE_FUTURES,
            status__in=LIVE_EXIT_STATUSES,
        )
        .exclude(pk__in=list(exclude))
        .order_by("id")
    )


# --- status changes (compare-and-set, bot locked first) ------------------------------------


def exit_transition(
    exit_row: Exit,
    *,
    to: str,
    from_statuses: Iterable[str] = LIVE_EXIT_STATUSES,
    action: str,
    reason: str,
    venue_algo_id: str | None = None,
    error: str | None = None,
    actor: Any = None,
) -> bool:
    """Move one exit to `to` if it is still in `from_statuses`; audited. False if it moved
    meanwhile (another worker or request decided first)."""
    with transaction.atomic():
        lock_bot(exit_row.bot_id)
        before = {"exit_id": exit_row.pk, "status": exit_row.status}
        fields: dict[str, Any] = {"status": to, "updated_at": timezone.now()}
        if venue_algo_id is not None:
            fields["venue_algo_id"] = venue_algo_id
        if error is not None:
            fields["error"] = error[:2000]
        if to not in LIVE_EXIT_STATUSES:
            fields["ended_at"] = timezone.now()
        changed = Exit.objects.filter(pk=exit_row.pk, status__in=list(from_statuses)).update(
            **fields
        )
        if not changed:
            return False
        for name, value in fields.items():
            setattr(exit_row, name, value)
        exit_event(
            exit_row,
            position=exit_row.position,
            action=action,
            reason=reason[:2000],
            before=before,
            actor=actor,
        )
    return True


def exit_incident(exit_row: Exit, *, kind: str, error: str, key: str, **payload: Any) -> int:
    incident = incident_record(
        kind=kind,
        bot_id=exit_row.bot_id,
        payload={
            "exit_id": exit_row.pk,
            "position_id": exit_row.position_id,
            "client_algo_id": exit_row.client_algo_id,
            "venue_algo_id": exit_row.venue_algo_id,
            "exit_kind": exit_row.kind,
            "symbol": exit_row.symbol,
            **payload,
        },
        error=error,
        dedupe_key=f"{key}:{exit_row.client_algo_id}",
    )
    logger.error("exit %s: %s (incident #%s)", exit_row.client_algo_id, error, incident.pk)
    return incident.pk


def cancel_incidents_close(exit_row: Exit, detail: str) -> None:
    """A cancel whose outcome was unknown is decided now: its incident is closed, audited."""
    from egis.execution.incident_base import incident_close

    for incident in Incident.objects.filter(
        kind=IncidentKind.EXIT_CANCEL_UNKNOWN,
        status=IncidentStatus.OPEN,
        dedupe_key=f"exit-cancel:{exit_row.client_algo_id}",
    ):
        incident_close(incident, resolution="decided", reason=detail, actor=None)


def chain_incidents_close(exit_row: Exit, detail: str) -> None:
    """The exits this one was placed again for (never placed, egis.exits.binance_replace): their
    `exit_not_active` incidents are decided by it (it rests, or it was never placed either and
    its own incident speaks for the chain), audited."""
    from egis.execution.incident_base import incident_close

    if replacement_attempt(exit_row.client_algo_id) == 0:
        return
    for incident in Incident.objects.filter(
        kind=IncidentKind.EXIT_NOT_ACTIVE,
        status=IncidentStatus.OPEN,
        bot_id=exit_row.bot_id,
        dedupe_key__startswith=f"exit-not-active:{chain_root(exit_row.client_algo_id)}",
    ).exclude(dedupe_key=f"exit-not-active:{exit_row.client_algo_id}"):
        incident_close(incident, resolution="decided", reason=detail, actor=None)


def exit_not_active(
    exit_row: Exit, *, to: str, why: str, report: AlgoReport | None, mark: str = ""
) -> ExitStep:
    """The exit no longer protects the position (expired, rejected, refused, never placed):
    marked loudly and raised as an incident. `mark` heads the row's error (NEVER_PLACED_MARK:
    written with the verdict, so a process killed after it still places the exit again)."""
    message = (
        f"{exit_label(exit_row)} not active on position #{exit_row.position_id} "
        f"({exit_row.client_algo_id}): {why}"
    )
    exit_transition(
        exit_row, to=to, action=f"exit_{to}", reason=message, error=mark + message, actor=None
    )
    incident_id = exit_incident(
        exit_row,
        kind=IncidentKind.EXIT_NOT_ACTIVE,
        error=message,
        key="exit-not-active",
        algo=report.raw if report is not None else None,
    )
    return ExitStep(exit_row.pk, exit_row.client_algo_id, FAILED, message, incident_id)


# --- placing -------------------------------------------------------------------------------


def mark_resting(exit_row: Exit, report: AlgoReport, *, via: str) -> ExitStep:
    detail = (
        f"{exit_label(exit_row)} resting at Binance as {report.order_type} algo "
        f"{report.algo_id}: {qty_text(report.quantity, symbol=exit_row.symbol)}"
        + (f" at {price_text(report.trigger_price, tick=None)}" if report.trigger_price else "")
        + f" ({via})"
    )
    moved = exit_transition(
        exit_row,
        to=ExitStatus.RESTING,
        from_statuses=[ExitStatus.PLACING],
        action="exit_resting",
        reason=detail,
        venue_algo_id=report.algo_id,
        error="",
    )
    if not moved:
        # Decided meanwhile (cancelled by a close that could not find it yet): it rests at
        # Binance while the ledger says otherwise. The caller removes it.
        return ExitStep(exit_row.pk, exit_row.client_algo_id, STRAY, f"{detail}: not wanted")
    chain_incidents_close(exit_row, f"placed again as {exit_row.client_algo_id}: {detail}")
    return ExitStep(exit_row.pk, exit_row.client_algo_id, RESTING, detail)
