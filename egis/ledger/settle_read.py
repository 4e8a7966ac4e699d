"""Settle's one read: the order and its position (lock 3), with what settle needs from elsewhere.

Settle used to read the bot row (for its daily loss limit), the owner's notification settings
(to know whether anybody listens) and, on a close, the position's live exits, each in its own
statement. Here they come with the order and its position, as three scalar sub-selects of the
same statement:

- the bot's daily loss limit (the fill's notice needs it when a close takes the day to it);
- whether the bot's owner has notification settings at all: without them nobody listens to
  anything, so the notice's own read (egis.notifications.services.notice_prepare) is skipped;
  with them it runs as before and decides;
- whether the position has live exits (placing or resting): without them a close has none to
  read, cancel or resize.

On PostgreSQL the statement ends `FOR UPDATE` and locks the order and the position only: a
locking clause applies to the tables of the query's own FROM list, never to sub-selects in its
select list, so the bot row keeps the weaker lock settle took first (egis.bots.locks).
The sub-selects are plain SQL (scalar sub-select, EXISTS) that SQLite and PostgreSQL both run.
What they read is current: a bot's limit and a position's exits are only written under the bot
lock (egis.bots.locks), which settle holds before this statement starts (PostgreSQL: its first
statement; SQLite: `BEGIN IMMEDIATE`), so every such write has committed before this statement's
snapshot is taken, and none can start until settle commits.

Built on egis.core.rows.RowPair (its `_build`, `_fetch`, `_single` and compiled conversion): a
change there shows here at once, in every settle.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egis.bots.models import Bot
from egis.core.rows import RowPair
from egis.exits.models import LIVE_EXIT_STATUSES
from egis.ledger.models import Order, Position

_LIMIT = Bot._meta.get_field("daily_loss_limit_usd")
# The live statuses, written out (a constant statement): checked against the model's list.
assert [status.value for status in LIVE_EXIT_STATUSES] == ["placing", "resting"]

# `a` is the order, `b` its position (egis.core.rows.RowPair). Table and column names only.
_EXTRA_COLUMNS = (
    "(SELECT c.daily_loss_limit_usd FROM bots c WHERE c.id = a.bot_id)",
    "EXISTS (SELECT 1 FROM notification_settings n JOIN bots c ON n.user_id = c.owner_id"
    " WHERE c.id = a.bot_id)",
    "EXISTS (SELECT 1 FROM exits e WHERE e.position_id = b.id"
    " AND e.status IN ('placing', 'resting'))",
)


@dataclass(frozen=True)
class SettleRows:
    order: Order
    position: Position
    daily_loss_limit_usd: Decimal | None
    owner_has_notifications: bool
    has_live_exits: bool


class _OrderPositionAndFacts(RowPair[Order, Position]):
    """RowPair(Order, "position", "a.id = %s", lock=True) plus the three columns above."""

    def __init__(self) -> None:
        super().__init__(Order, "position", "a.id = %s", lock=True)

    def _build(self, connection: Any) -> tuple[str, list[Any]]:
        sql, fields = super()._build(connection)
        head, sep, tail = sql.partition(" FROM ")
        assert sep, sql
        return f"{head}, {', '.join(_EXTRA_COLUMNS)}{sep}{tail}", fields

    def read(self, order_id: int) -> SettleRows | None:
        alias, connection, compiled, rows = self._fetch((order_id,))
        row = self._single(rows)
        if row is None:
            return None
        columns = len(compiled.attnames)
        values = compiled.convert(row[:columns], connection)
        order, position = self.pair(alias, compiled.attnames, values)
        limit, notifications, live_exits = row[columns:]
        return SettleRows(
            order=order,
            position=position,
            daily_loss_limit_usd=_LIMIT.from_db_value(limit, None, connection),
            owner_has_notifications=bool(notifications),
            has_live_exits=bool(live_exits),
        )


SETTLE_READ = _OrderPositionAndFacts()
