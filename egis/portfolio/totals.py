"""Keeping the per-bot closed totals (egis.portfolio.models.BotClosedTotals) equal to the SUM.

Every write that can change a position's contribution to its bot's realized figures calls
`totals_track(position)` before the change and `totals_apply(tracked, position)` after it, in the
same transaction, with the bot row locked (egis.bots.locks: every such writer holds it). The
contribution of a row is defined by egis.ledger.pnl: a row in REALIZED_ROWS (closed, not
archived) counts once, with its gross realized PnL, its fees, its shown net in whole cents and
whether it is a win; any other row counts zero. So the totals move by the difference, whatever
the change (a close, a fee completed after the close, an archive), and a change that leaves the
contribution as it was writes nothing.

The writers today: egis.ledger.settle (a close fill, a completed fee),
egis.execution.incident_close_position, egis.bots.services.position_archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from egis.core.rows import RowQuery
from egis.ledger.models import Position, PositionStatus
from egis.ledger.pnl import is_win, shown_fee_cents, shown_net_cents
from egis.portfolio.models import BotClosedTotals

_MONEY = BotClosedTotals._meta.get_field("realized_pnl_usd")
assert BotClosedTotals._meta.db_table == "bot_closed_totals"


@dataclass(frozen=True)
class Contribution:
    closed: int = 0
    wins: int = 0
    realized_pnl_usd: Decimal = Decimal(0)
    fees_usd: Decimal = Decimal(0)
    shown_net_cents: int = 0
    shown_fee_cents: int = 0

    def __sub__(self, other: Contribution) -> Contribution:
        return Contribution(
            closed=self.closed - other.closed,
            wins=self.wins - other.wins,
            realized_pnl_usd=self.realized_pnl_usd - other.realized_pnl_usd,
            fees_usd=self.fees_usd - other.fees_usd,
            shown_net_cents=self.shown_net_cents - other.shown_net_cents,
            shown_fee_cents=self.shown_fee_cents - other.shown_fee_cents,
        )

    @property
    def is_zero(self) -> bool:
        return self == Contribution()


NONE = Contribution()


def contribution(position: Position) -> Contribution:
    """What one row adds to its bot's totals (egis.ledger.pnl.REALIZED_ROWS, in Python)."""
    if position.status != PositionStatus.CLOSED or position.archived_at is not None:
        return NONE
    realized, fees = position.realized_pnl_usd, position.fees_usd
    return Contribution(
        closed=1,
        wins=int(is_win(realized, fees)),
        realized_pnl_usd=realized,
        fees_usd=fees,
        shown_net_cents=shown_net_cents(realized, fees),
        shown_fee_cents=shown_fee_cents(fees),
    )


def totals_track(position: Position) -> Contribution:
    """The row's contribution before a change (call with the bot locked)."""
    return contribution(position)


# A constant: no input reaches this SQL text.
_UPDATE = (
    "UPDATE bot_closed_totals SET closed_count = closed_count + %s, "
    "wins = wins + %s, realized_pnl_usd = realized_pnl_usd + %s, fees_usd = fees_usd + %s, "
    "shown_net_cents = shown_net_cents + %s, shown_fee_cents = shown_fee_cents + %s, "
    "updated_at = %s WHERE bot_id = %s"
)


# The same as one statement where the database has `INSERT .. ON CONFLICT .. DO UPDATE` with
# this syntax (SQLite >= 3.24, PostgreSQL >= 9.5): the row is created by the bot's first close and
# added to by every later one. `excluded` is the row the INSERT proposed (the difference).
_UPSERT = (
    "INSERT INTO bot_closed_totals (bot_id, closed_count, wins, realized_pnl_usd, fees_usd, "
    "shown_net_cents, shown_fee_cents, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (bot_id) DO UPDATE SET "
    "closed_count = bot_closed_totals.closed_count + excluded.closed_count, "
    "wins = bot_closed_totals.wins + excluded.wins, "
    "realized_pnl_usd = bot_closed_totals.realized_pnl_usd + excluded.realized_pnl_usd, "
    "fees_usd = bot_closed_totals.fees_usd + excluded.fees_usd, "
    "shown_net_cents = bot_closed_totals.shown_net_cents + excluded.shown_net_cents, "
    "shown_fee_cents = bot_closed_totals.shown_fee_cents + excluded.shown_fee_cents, "
    "updated_at = excluded.updated_at"
)
_UPSERT_VENDORS = ("sqlite", "postgresql")


def totals_add(bot_id: int, delta: Contribution) -> None:
    """Add a difference to the bot's row (created on its first close): one upsert on SQLite and
    PostgreSQL; elsewhere one UPDATE, and an INSERT only the first time. The money columns are
    scaled integers of one scale: adding them is exact integer addition."""
    if delta.is_zero:
        return
    now = timezone.now()
    realized = _MONEY.get_prep_value(delta.realized_pnl_usd)
    fees = _MONEY.get_prep_value(delta.fees_usd)
    stamp = BotClosedTotals._meta.get_field("updated_at").get_db_prep_value(
        now, connection, prepared=False
    )
    # The added values, in the column order both statements name them.
    added = [
        delta.closed,
        delta.wins,
        realized,
        fees,
        delta.shown_net_cents,
        delta.shown_fee_cents,
        stamp,
    ]
    if connection.vendor in _UPSERT_VENDORS:
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT, [bot_id, *added])
        return
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE, [*added, bot_id])
        if cursor.rowcount:
            return
    BotClosedTotals.objects.create(
        bot_id=bot_id,
        closed_count=delta.closed,
        wins=delta.wins,
        realized_pnl_usd=delta.realized_pnl_usd,
        fees_usd=delta.fees_usd,
        shown_net_cents=delta.shown_net_cents,
        shown_fee_cents=delta.shown_fee_cents,
    )


def totals_apply(before: Contribution, position: Position) -> None:
    """After the change, in the same transaction: move the bot's totals by the difference."""
    totals_add(position.bot_id, contribution(position) - before)


@dataclass(frozen=True)
class ClosedTotals:
    closed_count: int = 0
    wins: int = 0
    realized_pnl_usd: Decimal = Decimal(0)
    fees_usd: Decimal = Decimal(0)
    shown_net_cents: int = 0
    shown_fee_cents: int = 0

    @property
    def realized_net_usd(self) -> Decimal:
        return self.realized_pnl_usd - self.fees_usd

    def as_values(self) -> dict[str, object]:
        return {
            "closed_count": self.closed_count,
            "wins": self.wins,
            "realized_pnl_usd": self.realized_pnl_usd,
            "fees_usd": self.fees_usd,
            "shown_net_cents": self.shown_net_cents,
            "shown_fee_cents": self.shown_fee_cents,
        }


def totals_of(bot_ids: Iterable[int]) -> dict[int, ClosedTotals]:
    """The maintained totals per bot: one indexed read of one row per bot (a bot without a close
    has no row yet: zeros)."""
    ids = list(bot_ids)
    found = {
        row.bot_id: ClosedTotals(
            closed_count=row.closed_count,
            wins=row.wins,
            realized_pnl_usd=row.realized_pnl_usd,
            fees_usd=row.fees_usd,
            shown_net_cents=row.shown_net_cents,
            shown_fee_cents=row.shown_fee_cents,
        )
        for row in BotClosedTotals.objects.filter(bot_id__in=ids)
    }
    return {pk: found.get(pk, ClosedTotals()) for pk in ids}


# One precompiled row statement (egis.core.rows): the bot page reads it twice per render.
_TOTALS_ROW = RowQuery(BotClosedTotals, "bot_id = %s")


def totals_version(bot_id: int) -> tuple[ClosedTotals, object]:
    """The bot's kept totals and a version (the row's last change): two reads with the same
    version saw the same totals, so a read between them saw the rows those totals count."""
    row = _TOTALS_ROW.one(bot_id)
    if row is None:
        return ClosedTotals(), None
    kept = ClosedTotals(
        closed_count=row.closed_count,
        wins=row.wins,
        realized_pnl_usd=row.realized_pnl_usd,
        fees_usd=row.fees_usd,
        shown_net_cents=row.shown_net_cents,
        shown_fee_cents=row.shown_fee_cents,
    )
    return kept, row.updated_at
