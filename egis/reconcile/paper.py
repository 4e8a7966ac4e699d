"""`egis reconcile-paper-positions`: rebuild `paper_positions` from `paper_fills`.

The paper venue's executions are its exchange data; its book must equal the fold of them
(egis.venues.paper.book.fold_fills). Dry-run by default: it reports what it would change and
changes nothing. With `confirm=True` it applies the changes, one bot per transaction, recomputing
the diff inside that transaction so a fill landing meanwhile is never overwritten with a stale
book. It reads and writes only the paper tables: never `positions`, never `orders`, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import transaction

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.errors import UserFacingError
from egis.reconcile.diff import (
    CREATE,
    BookRow,
    PaperChange,
    count_changes,
    paper_book_diff,
)
from egis.venues.paper.book import BookState, fold_fills
from egis.venues.paper.models import PaperFill, PaperPosition

Progress = Callable[[int, int], None]
STREAM_CHUNK = 2000


class ReconcileError(UserFacingError):
    pass


@dataclass
class PaperReconcileResult:
    confirmed: bool
    bots_checked: int = 0
    changes: list[PaperChange] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return count_changes(self.changes)

    @property
    def nothing_to_do(self) -> bool:
        return not self.changes

    def summary_line(self) -> str:
        c = self.counts
        figures = f"create {c['create']}, close {c['close']}, update {c['update']}"
        if self.confirmed:
            return f"applied: {figures} ({self.bots_checked} paper bots checked)"
        tail = "; run with --confirm to apply" if self.changes else ""
        return (
            f"dry run, nothing changed: would {figures} "
            f"({self.bots_checked} paper bots checked){tail}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "confirmed": self.confirmed,
            "bots_checked": self.bots_checked,
            "counts": self.counts,
            "summary": self.summary_line(),
            "changes": [change.as_json() for change in self.changes],
        }


def paper_books_from_fills(bot_id: int) -> dict[str, BookState]:
    """The venue's truth for one paper account: the fold of its fills per symbol, in order."""
    by_symbol: dict[str, list[tuple[str, Decimal, Decimal]]] = {}
    rows = PaperFill.objects.filter(bot_id=bot_id).order_by("id")
    for symbol, side, qty, price in rows.values_list("symbol", "side", "qty", "price"):
        by_symbol.setdefault(symbol, []).append((side, qty, price))
    return {symbol: fold_fills(fills) for symbol, fills in by_symbol.items()}


def _mirror_rows(bot_id: int) -> dict[str, PaperPosition]:
    return {row.symbol: row for row in PaperPosition.objects.filter(bot_id=bot_id)}


def _as_book_row(row: PaperPosition) -> BookRow:
    return BookRow(row.side, row.qty, row.entry_price, row.status)


def paper_bot_diff(bot_id: int) -> list[PaperChange]:
    truth = paper_books_from_fills(bot_id)
    mirror = {symbol: _as_book_row(row) for symbol, row in _mirror_rows(bot_id).items()}
    return _diff(bot_id, truth, mirror)


def _diff(
    bot_id: int, truth: dict[str, BookState], mirror: dict[str, BookRow]
) -> list[PaperChange]:
    changes = []
    for symbol in sorted(set(truth) | set(mirror)):
        change = paper_book_diff(bot_id, symbol, truth.get(symbol, BookState()), mirror.get(symbol))
        if change is not None:
            changes.append(change)
    return changes


def _apply(bot_id: int) -> list[PaperChange]:
    with transaction.atomic():
        lock_bot(bot_id)  # the bot, then its book: the lock order of egis.bots.locks
        changes = paper_bot_diff(bot_id)
        rows = _mirror_rows(bot_id)
        for change in changes:
            values = {
                "side": change.after.side,
                "qty": change.after.qty,
                "entry_price": change.after.entry_price,
                "status": change.after.status,
            }
            if change.action == CREATE:
                PaperPosition.objects.create(bot_id=bot_id, symbol=change.symbol, **values)
            else:
                assert change.symbol in rows  # close and update touch an existing row
                PaperPosition.objects.filter(pk=rows[change.symbol].pk).update(**values)
        return changes


def _one_paper_bot(bot_id: int) -> int:
    bot = Bot.objects.filter(pk=bot_id).first()
    if bot is None:
        raise ReconcileError(f"bot #{bot_id} does not exist")
    if bot.venue != Venue.PAPER:
        raise ReconcileError(f"bot #{bot_id} trades on {bot.venue}, not on the paper venue")
    return bot.pk


def _paper_bot_count() -> int:
    """How many bots a full run checks: paper bots, plus any bot with paper data, whatever became
    of its row's flags (counted by the database, never held in memory)."""
    return (
        Bot.objects.filter(venue=Venue.PAPER)
        .values_list("pk")
        .union(PaperFill.objects.values_list("bot_id"), PaperPosition.objects.values_list("bot_id"))
        .count()
    )


def _by_bot(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    for pk, group in groupby(rows, key=itemgetter(0)):
        yield pk, list(group)


def _streamed_diffs() -> Iterator[tuple[int, list[PaperChange]]]:
    """Every paper bot's diff from three ordered streams: three queries in all, not two per bot.

    Paper bot ids come in id order, fills in (bot, symbol, id) order straight off the
    `paper_fills_book` index and books in (bot, symbol) order off the unique index, all read in
    chunks and merged by bot id: memory holds one bot's rows at a time, whatever the table sizes
    (not even the list of bot ids). Only reads: nothing may write while the cursors are open.
    """
    paper_bots = (
        Bot.objects.filter(venue=Venue.PAPER)
        .order_by("id")
        .values_list("id", flat=True)
        .iterator(chunk_size=STREAM_CHUNK)
    )
    fills = _by_bot(
        PaperFill.objects.order_by("bot_id", "symbol", "id")
        .values_list("bot_id", "symbol", "side", "qty", "price")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    books = _by_bot(
        PaperPosition.objects.order_by("bot_id", "symbol")
        .values_list("bot_id", "symbol", "side", "qty", "entry_price", "status")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    bot_head, fill_head, book_head = next(paper_bots, None), next(fills, None), next(books, None)
    while True:
        heads = [
            head
            for head in (
                bot_head,
                fill_head[0] if fill_head is not None else None,
                book_head[0] if book_head is not None else None,
            )
            if head is not None
        ]
        if not heads:
            return
        pk = min(heads)
        if bot_head == pk:
            bot_head = next(paper_bots, None)
        truth: dict[str, BookState] = {}
        if fill_head is not None and fill_head[0] == pk:
            for symbol, rows in groupby(fill_head[1], key=itemgetter(1)):
                truth[symbol] = fold_fills([(side, qty, price) for _, _, side, qty, price in rows])
            fill_head = next(fills, None)
        mirror: dict[str, BookRow] = {}
        if book_head is not None and book_head[0] == pk:
            for _, symbol, side, qty, entry_price, status in book_head[1]:
                mirror[symbol] = BookRow(side, qty, entry_price, status)
            book_head = next(books, None)
        yield pk, _diff(pk, truth, mirror)


def paper_reconcile(
    *, bot_id: int | None = None, confirm: bool = False, progress: Progress | None = None
) -> PaperReconcileResult:
    """Diff (and with `confirm`, repair) the paper book of one bot or of every paper bot."""
    result = PaperReconcileResult(confirmed=confirm)
    drifted: list[int] = []
    # One bot: two indexed lookups. Every bot: three merged streams, never two queries per bot.
    diffs: Iterator[tuple[int, list[PaperChange]]]
    if bot_id is not None:
        pk = _one_paper_bot(bot_id)
        total, diffs = 1, iter([(pk, paper_bot_diff(pk))])
    else:
        total, diffs = _paper_bot_count(), _streamed_diffs()
    for done, (pk, changes) in enumerate(diffs, start=1):
        if changes:
            drifted.append(pk)
            if not confirm:
                result.changes.extend(changes)
        result.bots_checked += 1
        if progress is not None:
            progress(done, total)
    if confirm:
        # After the read cursors are closed: one transaction per drifted bot, diff recomputed
        # inside it, so a fill that landed since the scan is never overwritten by a stale book.
        for pk in drifted:
            result.changes.extend(_apply(pk))
    return result
