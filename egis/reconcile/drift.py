"""The drift check: the ledger's open quantity against the venue mirror, per account + symbol.

Paper: each paper bot is its own account, so the scope is bot + symbol against `paper_positions`.
Binance: the scope is exchange account + symbol (one-way mode nets every bot of the account),
the sum of its bots' open quantities against `exchange_positions` after a sync.

Orders still in flight are not drift: a scope with an order in flight is reported as such and
judged again once it settles. Each difference becomes one open incident of kind
`drift` (a repeated check finds it again instead of writing a second one) and halts the bots of
the scope for new opens. The check never edits the ledger. What it reports (DriftItem,
DriftReport, the statuses) is egis.reconcile.drift_report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.money import plain
from egis.core.when import when_text
from egis.exits.binance_drift import binance_exit_drift
from egis.ledger.incidents import DRIFT_HALT_PREFIX, drift_incident_open
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Incident,
    IncidentKind,
    IncidentStatus,
    Order,
    Position,
    PositionSide,
    PositionStatus,
)
from egis.ledger.notices import halt_notice
from egis.portfolio.totals_check import (
    is_totals_incident,
    totals_drift_check,
    totals_incident_recheck,
)
from egis.reconcile.drift_report import DRIFT, IN_FLIGHT, NO_MIRROR, OK, DriftItem, DriftReport
from egis.reconcile.paper import ReconcileError, paper_books_from_fills
from egis.venues.binance.positions import sync_exchange_positions
from egis.venues.models import ExchangeAccount, ExchangePosition
from egis.venues.paper.models import PaperPosition, PaperPositionStatus

logger = logging.getLogger("egis.drift")

# Refreshes `exchange_positions` for one account; returns False when it could not.
AccountSync = Callable[[ExchangeAccount], bool]


def _signed(side: str, qty: Decimal) -> Decimal:
    return -qty if side == PositionSide.SHORT else qty


def _position_json(p: Position) -> dict[str, Any]:
    return {"id": p.pk, "bot_id": p.bot_id, "side": p.side, "qty": plain(p.qty)}


def _open_positions(bot_ids: Iterable[int]) -> list[Position]:
    # qty 0 is a hold whose open is still in flight: nothing settled yet.
    return list(
        Position.objects.filter(bot_id__in=list(bot_ids), status=PositionStatus.OPEN, qty__gt=0)
        .only("id", "bot_id", "symbol", "side", "qty")
        .order_by("id")
    )


def _in_flight(bot_ids: Iterable[int], *, since: datetime) -> dict[str, list[str]]:
    """Orders in flight now, or created or settled since the check began reading.

    Read after the ledger and the mirror: an order that moved while they were being read (or
    while the venue was answering the sync) is in one of them and perhaps not the other, so it
    is in flight for this check and judged by the next one.
    """
    found: dict[str, list[str]] = {}
    rows = Order.objects.filter(
        Q(status__in=IN_FLIGHT_ORDER_STATUSES) | Q(updated_at__gte=since),
        bot_id__in=list(bot_ids),
    )
    for symbol, client_order_id in rows.order_by("id").values_list("symbol", "client_order_id"):
        found.setdefault(symbol, []).append(client_order_id)
    return found


def _judge(item: DriftItem) -> None:
    if item.in_flight_orders:
        item.status = IN_FLIGHT
    elif item.venue_qty is None:
        item.status = NO_MIRROR
    else:
        item.status = DRIFT if item.venue_qty != item.ledger_qty else OK


def paper_items(bot: Bot) -> list[DriftItem]:
    since = timezone.now()
    positions = _open_positions([bot.pk])
    mirror = {
        row.symbol: _signed(row.side, row.qty)
        for row in PaperPosition.objects.filter(bot_id=bot.pk, status=PaperPositionStatus.OPEN)
    }
    fills = {symbol: state.net_qty for symbol, state in paper_books_from_fills(bot.pk).items()}
    in_flight = _in_flight([bot.pk], since=since)
    symbols = {bot.symbol, *mirror, *(p.symbol for p in positions)}
    symbols |= {symbol for symbol, qty in fills.items() if qty != 0}
    items = []
    for symbol in sorted(symbols):
        mine = [p for p in positions if p.symbol == symbol]
        item = DriftItem(
            venue=Venue.PAPER,
            symbol=symbol,
            bot_ids=[bot.pk],
            account_id=None,
            ledger_qty=sum((_signed(p.side, p.qty) for p in mine), Decimal(0)),
            venue_qty=mirror.get(symbol, Decimal(0)),
            in_flight_orders=in_flight.get(symbol, []),
            positions=[_position_json(p) for p in mine],
            fills_qty=fills.get(symbol, Decimal(0)),
        )
        _judge(item)
        if item.status == DRIFT:
            if item.fills_qty == item.ledger_qty:
                item.hint = (
                    "the paper book is stale (its fills agree with the ledger): run "
                    f"`egis reconcile-paper-positions --bot {bot.pk} --confirm`, then resolve "
                    "with --action acknowledge"
                )
            else:
                item.hint = (
                    "the paper venue executed something the ledger does not hold: see "
                    "`egis incidents show`, then resolve with apply-venue-fill (an "
                    "unbooked order) or close-position --price (a position the venue lacks)"
                )
        items.append(item)
    return items


def _default_sync() -> AccountSync:
    def run(account: ExchangeAccount) -> bool:
        sync_exchange_positions(account)
        return True

    return run


def account_items(
    account: ExchangeAccount, *, synced: bool, since: datetime | None = None
) -> list[DriftItem]:
    """`since`: when the mirror sync began (an order settled after it may be missing from it)."""
    since = since or timezone.now()
    bots = list(Bot.objects.filter(exchange_account=account, deleted_at__isnull=True))
    bot_ids = [b.pk for b in bots]
    positions = _open_positions(bot_ids)
    mirror = {row.symbol: row for row in ExchangePosition.objects.filter(account=account)}
    in_flight = _in_flight(bot_ids, since=since)
    symbols = {b.symbol for b in bots} | {p.symbol for p in positions}
    symbols |= {symbol for symbol, row in mirror.items() if row.position_amt != 0}
    items = []
    for symbol in sorted(symbols):
        mine = [p for p in positions if p.symbol == symbol]
        row = mirror.get(symbol)
        # Only a mirror this check refreshed is the exchange now: after a failed sync the old rows
        # predate orders the ledger booked since, and judging them would report drift that is not
        # there (and halt the bots). Such a scope is left unjudged until the exchange answers.
        venue_qty = (row.position_amt if row is not None else Decimal(0)) if synced else None
        item = DriftItem(
            venue=account.venue,
            symbol=symbol,
            bot_ids=sorted({b.pk for b in bots if b.symbol == symbol} | {p.bot_id for p in mine}),
            account_id=account.pk,
            ledger_qty=sum((_signed(p.side, p.qty) for p in mine), Decimal(0)),
            venue_qty=venue_qty,
            in_flight_orders=in_flight.get(symbol, []),
            positions=[_position_json(p) for p in mine],
            mirror_synced_at=row.synced_at.isoformat() if row is not None else None,
        )
        _judge(item)
        if item.status == DRIFT:
            item.hint = (
                "the exchange holds a different net quantity than this account's bots: check "
                "the exchange, then resolve with close-position --price (the exchange has "
                "nothing) or apply-venue-fill (an unbooked order)"
            )
        elif item.status == NO_MIRROR:
            last = f" (last good mirror: {when_text(row.synced_at)})" if row is not None else ""
            item.hint = f"not judged: the account could not be synced just now{last}"
        items.append(item)
    return items


def _synced_account_items(
    account: ExchangeAccount, syncer: AccountSync | None, errors: list[str]
) -> list[DriftItem]:
    """Refresh the account's mirror, then judge it (a failed sync leaves it unjudged)."""
    synced = False
    since = timezone.now()
    if syncer is not None:
        try:
            synced = syncer(account)
        except Exception as exc:  # the venue is one actor that can fail: report, go on
            logger.warning("sync of account #%s failed: %s", account.pk, exc)
            errors.append(f"account #{account.pk}: {exc}")
    return account_items(account, synced=synced, since=since)


def _scopes(bot_id: int | None) -> tuple[list[Bot], list[ExchangeAccount]]:
    if bot_id is not None:
        bot = Bot.objects.filter(pk=bot_id, deleted_at__isnull=True).first()
        if bot is None:
            raise ReconcileError(f"bot #{bot_id} does not exist")
        if bot.venue == Venue.PAPER:
            return [bot], []
        return [], [bot.exchange_account] if bot.exchange_account else []
    live = Bot.objects.filter(deleted_at__isnull=True)
    papers = list(live.filter(venue=Venue.PAPER).order_by("id"))
    account_ids = live.exclude(venue=Venue.PAPER).values_list("exchange_account_id", flat=True)
    accounts = list(ExchangeAccount.objects.filter(pk__in=set(account_ids)).order_by("id"))
    return papers, accounts


def drift_check(
    *, bot_id: int | None = None, record: bool = True, sync: AccountSync | None = None
) -> DriftReport:
    """Compare, and (with `record`) raise one drift incident per difference and halt its bots."""
    papers, accounts = _scopes(bot_id)
    report = DriftReport(recorded=record)
    for bot in papers:
        report.items.extend(paper_items(bot))
    syncer = sync or _default_sync()
    for account in accounts:
        report.items.extend(_synced_account_items(account, syncer, report.sync_errors))
        if account.venue == Venue.BINANCE_FUTURES:
            try:
                report.exit_items.extend(binance_exit_drift(account, record=record))
            except Exception as exc:  # the venue is one actor that can fail: report, go on
                logger.warning("exit drift check of account #%s failed: %s", account.pk, exc)
                report.sync_errors.append(f"account #{account.pk} exits: {exc}")
    if record:
        for item in report.drift:
            drift_record(item)
    report.totals = totals_drift_check(bot_id, record=record)
    return report


def _open_drift_incidents() -> list[Incident]:
    return list(
        Incident.objects.filter(
            # A signal drift halts opens the same way (egis.signals.services).
            kind__in=[IncidentKind.DRIFT, IncidentKind.SIGNAL_DRIFT],
            status=IncidentStatus.OPEN,
        ).order_by("id")
    )


def incident_bot_ids(incident: Incident) -> set[int]:
    ids = {int(b) for b in (incident.payload or {}).get("bot_ids", []) if str(b).isdigit()}
    if incident.bot_id is not None:
        ids.add(incident.bot_id)
    return ids


def drift_record(item: DriftItem) -> Incident:
    """One open incident per scope + symbol; the bots of the scope are halted for new opens."""
    incident = drift_incident_open(
        prefix=f"drift:{item.scope}:{item.symbol}:",
        bot_ids=item.bot_ids,
        payload=item.as_json(),
        error=f"drift: {item.describe()}",
        what=item.describe(),
    )
    item.incident_id = incident.pk
    return incident


def drift_halts_release(bot_ids: Iterable[int]) -> list[int]:
    """Lift drift halts of bots that no open drift incident names any more; returns their ids."""
    still = set()
    for incident in _open_drift_incidents():
        still |= incident_bot_ids(incident)
    free = [pk for pk in bot_ids if pk not in still]
    released = list(
        Bot.objects.filter(pk__in=free, halted_reason__startswith=DRIFT_HALT_PREFIX).values_list(
            "pk", flat=True
        )
    )
    Bot.objects.filter(pk__in=released, halted_reason__startswith=DRIFT_HALT_PREFIX).update(
        halted_reason=""
    )
    halt_notice(released, halted=False)
    return released


@dataclass
class _TotalsItem(DriftItem):
    text: str = ""

    def describe(self) -> str:
        return self.text


def _totals_recheck(incident: Incident) -> DriftItem:
    """A closed-totals incident (egis.portfolio.totals_check) as a drift item: DRIFT while the
    kept totals still differ from the SUM, OK once rebuilt."""
    found = totals_incident_recheck(incident)
    return _TotalsItem(
        venue="closed_totals",
        symbol="",
        bot_ids=[incident.bot_id] if incident.bot_id else [],
        account_id=None,
        ledger_qty=Decimal(0),
        venue_qty=Decimal(0),
        status=DRIFT if found else OK,
        hint=found.as_json()["hint"] if found else "",
        text=found.describe() if found else f"bot #{incident.bot_id} closed totals agree",
    )


def drift_recheck(incident: Incident) -> DriftItem | None:
    """The current state of the scope + symbol a drift incident is about (nothing recorded)."""
    payload = incident.payload or {}
    if is_totals_incident(incident):
        return _totals_recheck(incident)
    symbol = payload.get("symbol")
    if payload.get("venue") == Venue.PAPER:
        bot = Bot.objects.filter(pk=incident.bot_id or 0).first()
        items = paper_items(bot) if bot else []
    else:
        account = ExchangeAccount.objects.filter(pk=int(payload.get("account_id") or 0)).first()
        if account is None:
            return None
        items = _synced_account_items(account, _default_sync(), [])
    return next((item for item in items if item.symbol == symbol), None)


__all__ = [
    "DRIFT_HALT_PREFIX",
    "DriftItem",
    "DriftReport",
    "drift_check",
    "drift_halts_release",
    "drift_recheck",
    "drift_record",
]
