"""Exit drift on Binance: the exits the ledger believes are resting against the conditional
orders Binance lists as open (GET /fapi/v1/openAlgoOrders), per account + symbol.

- missing: resting in the ledger, unknown to Binance: the position is not protected as the
  ledger says (one that fired or ended since the last poll is pending for the poll to book, not
  drift: this check edits nothing);
- unknown: open at Binance, not a live exit of the ledger (one Egis cancelled or never knew of):
  a reduce-only order that could fire on any bot's share of the netted position;
- wrong quantity: both, with different quantities.

Exits still `placing` are in flight and not judged. Each difference is drift: one open `drift`
incident per account + symbol (a repeated check finds it again) that halts the scope's bots for
new opens, exactly like a quantity drift (egis.reconcile.drift). Nothing is edited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.money import plain
from egis.exits.binance_rows import AlgoFactory, default_algos
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.incidents import drift_incident_open
from egis.ledger.models import Incident
from egis.venues.base import OrderNotFound, VenueError
from egis.venues.models import ExchangeAccount

logger = logging.getLogger("egis.drift")


OK = "ok"
DRIFT = "drift"
NOT_CHECKED = "not_checked"


@dataclass
class ExitDriftItem:
    account_id: int
    symbol: str
    bot_ids: list[int]
    status: str = OK
    missing: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    wrong_quantity: list[dict[str, Any]] = field(default_factory=list)
    # Ended or fired at Binance since the last poll: the poll books them; not drift.
    pending: list[dict[str, Any]] = field(default_factory=list)
    resting: int = 0
    error: str = ""
    incident_id: int | None = None

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"{len(self.missing)} resting exit(s) missing at Binance")
        if self.unknown:
            parts.append(f"{len(self.unknown)} open algo order(s) unknown to the ledger")
        if self.wrong_quantity:
            parts.append(f"{len(self.wrong_quantity)} exit(s) with the wrong quantity")
        what = ", ".join(parts) or "exits agree"
        return f"account #{self.account_id} {self.symbol}: {what}"

    def as_json(self) -> dict[str, Any]:
        return {
            "venue": Venue.BINANCE_FUTURES,
            "check": "exits",
            "account_id": self.account_id,
            "symbol": self.symbol,
            "bot_ids": self.bot_ids,
            "status": self.status,
            "resting": self.resting,
            "missing": self.missing,
            "unknown": self.unknown,
            "wrong_quantity": self.wrong_quantity,
            "pending": self.pending,
            "error": self.error,
            "incident_id": self.incident_id,
        }


def _exit_json(exit_row: Exit) -> dict[str, Any]:
    return {
        "exit_id": exit_row.pk,
        "position_id": exit_row.position_id,
        "bot_id": exit_row.bot_id,
        "kind": exit_row.kind,
        "client_algo_id": exit_row.client_algo_id,
        "quantity": plain(exit_row.quantity),
    }


def account_exit_items(
    account: ExchangeAccount, *, algos_for: AlgoFactory = default_algos
) -> list[ExitDriftItem]:
    bots = list(Bot.objects.filter(exchange_account=account, deleted_at__isnull=True))
    if not bots:
        return []
    exits = list(
        Exit.objects.select_related("position", "bot")
        .filter(bot__in=bots, venue=Venue.BINANCE_FUTURES, status__in=LIVE_EXIT_STATUSES)
        .order_by("id")
    )
    symbols = sorted({b.symbol for b in bots} | {e.symbol for e in exits})
    items = []
    for symbol in symbols:
        item = ExitDriftItem(
            account_id=account.pk,
            symbol=symbol,
            bot_ids=sorted({b.pk for b in bots if b.symbol == symbol}),
        )
        items.append(item)
        try:
            algos = algos_for(bots[0])
            venue_open = {r.client_algo_id: r for r in algos.open_orders(symbol) if r.working}
        except VenueError as exc:
            item.status, item.error = NOT_CHECKED, exc.message
            continue
        mine = [e for e in exits if e.symbol == symbol]
        placing = {e.client_algo_id for e in mine if e.status == ExitStatus.PLACING}
        resting = [e for e in mine if e.status == ExitStatus.RESTING]
        item.resting = len(resting)
        for exit_row in resting:
            report = venue_open.get(exit_row.client_algo_id)
            if report is None:
                # Fired or ended since the last poll: the poll books it (not drift, and this
                # check edits nothing). Only an exit Binance does not know at all is missing.
                try:
                    found = algos.query(client_algo_id=exit_row.client_algo_id)
                except OrderNotFound:
                    item.missing.append(_exit_json(exit_row))
                    continue
                except VenueError as exc:
                    item.status, item.error = NOT_CHECKED, exc.message
                    break
                item.pending.append({**_exit_json(exit_row), "venue_status": found.status})
            elif report.quantity != exit_row.quantity:
                item.wrong_quantity.append(
                    {**_exit_json(exit_row), "venue_quantity": plain(report.quantity)}
                )
        known = {e.client_algo_id for e in resting} | placing
        for cid, report in venue_open.items():
            if cid not in known:
                item.unknown.append(
                    {
                        "client_algo_id": cid,
                        "algo_id": report.algo_id,
                        "order_type": report.order_type,
                        "side": report.side,
                        "quantity": plain(report.quantity),
                        "reduce_only": report.reduce_only,
                    }
                )
        if item.status == NOT_CHECKED:
            continue
        if item.missing or item.unknown or item.wrong_quantity:
            item.status = DRIFT
    return items


def exit_drift_record(item: ExitDriftItem) -> Incident:
    """One open drift incident per account + symbol for its exits; its bots halted for opens."""
    incident = drift_incident_open(
        prefix=f"drift:exits:binance_futures:account:{item.account_id}:{item.symbol}:",
        bot_ids=item.bot_ids,
        payload=item.as_json(),
        error=f"exit drift: {item.describe()}",
        what=item.describe(),
    )
    item.incident_id = incident.pk
    return incident


def binance_exit_drift(
    account: ExchangeAccount, *, record: bool = True, algos_for: AlgoFactory = default_algos
) -> list[ExitDriftItem]:
    items = account_exit_items(account, algos_for=algos_for)
    if record:
        for item in items:
            if item.status == DRIFT:
                exit_drift_record(item)
    return items


__all__ = ["ExitDriftItem", "account_exit_items", "binance_exit_drift", "exit_drift_record"]
