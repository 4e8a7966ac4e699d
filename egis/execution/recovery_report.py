"""What a recovery run reports (egis.execution.recovery): each examined order's outcome, the
orders too young to examine, and the report over the whole run (journal import, pending fees,
incidents closed, placing exits, exits asked with an open), as `egis recover` prints it and the
API returns it.

Plain data and its wording: nothing here reads the database or the venue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from egis.execution.fees import FeeOutcome
from egis.exits.binance_recovery import ExitSyncReport
from egis.ledger.journal import JournalImport

SETTLED = "settled"
RELEASED = "released"
ALREADY_SETTLED = "already_settled"
WAITING = "waiting"
ESCALATED = "escalated"
FAILED = "error"


@dataclass(frozen=True)
class RecoveryOutcome:
    order_id: int
    client_order_id: str
    bot_id: int
    intent: str
    action: str
    detail: str
    order_status: str
    incident_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "bot_id": self.bot_id,
            "intent": self.intent,
            "action": self.action,
            "order_status": self.order_status,
            "detail": self.detail,
            "incident_id": self.incident_id,
        }


@dataclass(frozen=True)
class NotExamined:
    """An order in flight too young to look up: its own request may still be waiting."""

    order_id: int
    client_order_id: str
    bot_id: int
    intent: str
    age_seconds: int
    timeout_seconds: int

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "bot_id": self.bot_id,
            "intent": self.intent,
            "age_seconds": self.age_seconds,
            "timeout_seconds": self.timeout_seconds,
        }


@dataclass
class RecoveryReport:
    journal: JournalImport | None = None
    outcomes: list[RecoveryOutcome] = field(default_factory=list)
    not_examined: list[NotExamined] = field(default_factory=list)
    fees: list[FeeOutcome] = field(default_factory=list)
    incidents_closed: list[int] = field(default_factory=list)
    # Binance exits left `placing`, settled by lookup by clientAlgoId (issue 12).
    exits: ExitSyncReport | None = None
    # Booked opens whose exits their dead process never set (egis.exits.asked): the order ids.
    exits_asked: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {a: 0 for a in (SETTLED, RELEASED, ALREADY_SETTLED, WAITING, ESCALATED)}
        for outcome in self.outcomes:
            counts[outcome.action] += 1
        return counts

    def summary_line(self) -> str:
        c = self.counts()
        parts = [
            f"{len(self.outcomes)} in-flight orders examined: {c[SETTLED]} settled, "
            f"{c[RELEASED]} released, {c[WAITING]} waiting, {c[ESCALATED]} need a decision"
        ]
        if self.not_examined:
            n = len(self.not_examined)
            timeout = self.not_examined[0].timeout_seconds
            parts.append(
                f"{n} order{'s' if n != 1 else ''} in flight {'are' if n != 1 else 'is'} "
                f"younger than {timeout} s: not examined yet"
            )
        if self.fees:
            done = sum(1 for f in self.fees if f.completed)
            parts.append(f"{done} pending fees completed, {len(self.fees) - done} still pending")
        if self.journal is not None:
            parts.append(self.journal.summary_line())
        if self.incidents_closed:
            parts.append(f"{len(self.incidents_closed)} incidents closed as booked")
        if self.exits is not None and self.exits.checked:
            parts.append(f"placing exits: {self.exits.summary_line()}")
        if self.exits_asked:
            n = len(self.exits_asked)
            parts.append(f"exits asked with {n} open{'s' if n != 1 else ''} set after the fill")
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary_line(),
            "counts": self.counts(),
            "orders": [o.as_json() for o in self.outcomes],
            "not_examined": [o.as_json() for o in self.not_examined],
            "fees": [f.as_json() for f in self.fees],
            "journal": self.journal.as_json() if self.journal else None,
            "incidents_closed": self.incidents_closed,
            "exits": self.exits.as_json() if self.exits is not None else None,
            "exits_asked": self.exits_asked,
        }
