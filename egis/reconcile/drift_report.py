"""What a drift check reports (egis.reconcile.drift): one item per account (or paper bot) and
symbol with its status, and the report over all of them, as the CLI prints it and the API
returns it.

Plain data and its wording: nothing here reads the database or the venue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from egis.core.choices import Venue
from egis.core.money import plain
from egis.exits.binance_drift import ExitDriftItem
from egis.portfolio.totals_check import TotalsDrift

OK = "ok"
DRIFT = "drift"
IN_FLIGHT = "in_flight"
NO_MIRROR = "no_mirror"


@dataclass
class DriftItem:
    venue: str
    symbol: str
    bot_ids: list[int]
    account_id: int | None
    ledger_qty: Decimal  # signed: > 0 long, < 0 short
    venue_qty: Decimal | None  # signed; None when there is no mirror to compare with
    status: str = OK
    in_flight_orders: list[str] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    fills_qty: Decimal | None = None  # paper only: what the paper fills fold to
    mirror_synced_at: str | None = None
    incident_id: int | None = None
    hint: str = ""

    @property
    def scope(self) -> str:
        if self.venue == Venue.PAPER:
            return f"paper:bot:{self.bot_ids[0]}"
        return f"{self.venue}:account:{self.account_id}"

    def describe(self) -> str:
        venue = "none" if self.venue_qty is None else plain(self.venue_qty)
        where = (
            f"bot #{self.bot_ids[0]}"
            if self.venue == Venue.PAPER
            else f"account #{self.account_id}"
        )
        return f"{where} {self.symbol}: ledger {plain(self.ledger_qty)} vs venue {venue}"

    def as_json(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "scope": self.scope,
            "symbol": self.symbol,
            "bot_ids": self.bot_ids,
            "account_id": self.account_id,
            "status": self.status,
            "ledger_qty": plain(self.ledger_qty),
            "venue_qty": None if self.venue_qty is None else plain(self.venue_qty),
            "difference": None
            if self.venue_qty is None
            else plain(self.venue_qty - self.ledger_qty),
            "fills_qty": None if self.fills_qty is None else plain(self.fills_qty),
            "mirror_synced_at": self.mirror_synced_at,
            "in_flight_orders": self.in_flight_orders,
            "positions": self.positions,
            "incident_id": self.incident_id,
            "hint": self.hint,
        }


@dataclass
class DriftReport:
    items: list[DriftItem] = field(default_factory=list)
    recorded: bool = True
    sync_errors: list[str] = field(default_factory=list)
    # Binance exits: resting in the ledger vs open algo orders (egis.exits.binance_drift).
    exit_items: list[ExitDriftItem] = field(default_factory=list)
    # Per-bot closed totals that disagree with the SUM (egis.portfolio.totals_check).
    totals: list[TotalsDrift] = field(default_factory=list)

    @property
    def drift(self) -> list[DriftItem]:
        return [item for item in self.items if item.status == DRIFT]

    @property
    def exit_drift(self) -> list[ExitDriftItem]:
        return [item for item in self.exit_items if item.status == DRIFT]

    def summary_line(self) -> str:
        counts = {s: 0 for s in (OK, DRIFT, IN_FLIGHT, NO_MIRROR)}
        for item in self.items:
            counts[item.status] += 1
        head = "DRIFT FOUND" if counts[DRIFT] or self.exit_drift or self.totals else "no drift"
        line = (
            f"{head}: {len(self.items)} account+symbol checked, {counts[DRIFT]} drift, "
            f"{counts[IN_FLIGHT]} waiting for in-flight orders, {counts[NO_MIRROR]} without mirror"
            + (f", {len(self.totals)} bots' closed totals off" if self.totals else "")
        )
        if self.exit_items:
            line += f"; exits: {len(self.exit_items)} checked, {len(self.exit_drift)} drift"
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "drift_found": bool(self.drift or self.exit_drift or self.totals),
            "totals": [t.as_json() for t in self.totals],
            "summary": self.summary_line(),
            "items": [item.as_json() for item in self.items],
            "exit_items": [item.as_json() for item in self.exit_items],
            "sync_errors": self.sync_errors,
        }
