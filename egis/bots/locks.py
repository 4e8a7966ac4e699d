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
locking reads still run (without a lock clause) so both databases run the same statements.
"""

from __future__ import annotations

from collections.abc import Sequence

from egis.bots.models import Bot
from egis.core.rows import RowQuery


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
