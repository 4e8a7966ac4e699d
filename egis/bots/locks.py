"""Row locks: the one order in which every transaction that writes a bot's rows takes them.

A transaction that writes anything of a bot (its positions, orders, events, paper book) locks
the rows it needs in this order, and never takes an earlier one after a later one:

1. **The bot row** (`bots`), first, always, with `lock_bot` or a query made by `bot_row_lock`.
   It is the per-bot mutex: the preflights (open and close), settle, release, marking an order
   unknown, recovery's bookkeeping, the paper venue's fill, the paper reconciliation, the
   reconciliation actions and archiving all queue here before they touch anything else of the
   bot. Several bots in one transaction
   (an account-wide drift resolution) are locked in ascending id order.
2. **The exchange account row** (`exchange_accounts`), by an open on an account shared by
   several bots: the netting check spans them.
3. **The order and its position** (`orders`, `positions`): the preflight close locks the
   position; settle and release lock the order with its position in one statement.
4. **The paper book row** (`paper_positions`), last, by the paper venue's fill. It always
   exists before it is locked (`INSERT ... ON CONFLICT DO NOTHING` creates it on a bot's first
   fill), so a lock never falls on a missing row and two first fills never collide.

The bot lock is `FOR NO KEY UPDATE` on PostgreSQL: it excludes every other bot lock and every
UPDATE of the bot, but not the `FOR KEY SHARE` lock that the deferred foreign-key checks take on
the bot row at COMMIT when a transaction has inserted rows naming the bot (an order, an event, a
paper fill). With a plain `FOR UPDATE` that check waited for whoever held the bot; if that holder
waited for a row the committing transaction held, the two deadlocked (racing closes did:
docs/BENCHMARKS.md, benchmark 5). No bot's key ever changes, so the weaker lock loses nothing.

On SQLite every transaction starts with `BEGIN IMMEDIATE` (settings.py): the first one to start
holds the database's write lock until it ends, so transactions never interleave there. The
locking reads still run (without a lock clause) so both databases run the same statements,
except on an order's hot path after its write-ahead row is committed (the paper venue's fill
and settle, two transactions per order): there `lock_bot_where_rows_lock` sends lock 1 only
where the database has row locks, because on SQLite that read would lock nothing and return
nothing the transaction uses. Tests that pin the lock order from the statements SQLite sees
run with `every_lock_read_sent()`, which sends those reads too (as PostgreSQL gets them).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router

from egis.bots.models import Bot
from egis.core.rows import RowQuery, RowStatementError


def bot_row_lock(where: str, *, fields: Sequence[str] | None = None) -> RowQuery[Bot]:
    """A compiled SELECT of bot rows that locks them as rule 1 above says (FOR NO KEY UPDATE)."""
    return RowQuery(Bot, where, fields=fields, no_key=True)


_BOT_LOCKED = bot_row_lock("id = %s", fields=["id"])

# A bot that has not been deleted, by id: read by every bot page, API route and order, so it is
# compiled once here (the unlocked read and lock 1), never restated.
LIVE_BOT = RowQuery(Bot, "id = %s AND deleted_at IS NULL")
LIVE_BOT_LOCKED = bot_row_lock("id = %s AND deleted_at IS NULL")


def lock_bot(bot_id: int) -> bool:
    """Take lock 1 for `bot_id` inside the current transaction; False if there is no such bot."""
    return _BOT_LOCKED.one(bot_id) is not None


def lock_bots(bot_ids: Sequence[int]) -> None:
    """Lock several bots, in ascending id order (so two such transactions cannot cross)."""
    for bot_id in sorted(set(bot_ids)):
        lock_bot(bot_id)


# Set by tests that read the lock order from SQLite's statements (see the module docstring).
_SEND_EVERY_LOCK_READ: ContextVar[bool] = ContextVar("egis_send_every_lock_read", default=False)


def row_locks_needed() -> bool:
    """Whether a locking read must be sent: the database has row locks (PostgreSQL), or a test
    asked for every lock read. On SQLite (no row locks) `BEGIN IMMEDIATE` already holds the
    database's write lock for the whole transaction. Refused outside a transaction on both, as a
    locking read is: a lock that ends with its statement would protect nothing."""
    connection = connections[router.db_for_write(Bot)]
    if not connection.in_atomic_block:
        raise RowStatementError("Bot: a locking read needs a transaction")
    return bool(connection.features.has_select_for_update) or _SEND_EVERY_LOCK_READ.get()


def lock_bot_where_rows_lock(bot_id: int) -> None:
    """Lock 1 for `bot_id`, sent only where it locks something (`row_locks_needed`). For the
    transactions that need nothing from the bot row but its lock: the paper venue's fill."""
    if row_locks_needed():
        lock_bot(bot_id)


@contextmanager
def every_lock_read_sent() -> Iterator[None]:
    """Send the locking reads that only PostgreSQL needs on SQLite too (without a lock clause),
    so a test sees the statements in the order PostgreSQL takes its locks."""
    token = _SEND_EVERY_LOCK_READ.set(True)
    try:
        yield
    finally:
        _SEND_EVERY_LOCK_READ.reset(token)
