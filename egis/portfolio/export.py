"""CSV export of a bot's closed positions or orders, streamed: rows are read in chunks by id
(keyset: `id > last`, a bounded page of the index each time) and written one chunk at a time,
so a 100,000-row export holds one chunk in memory, not the history. The web, the API and the CLI
all iterate `csv_chunks`.

Money, quantities and prices are plain decimal strings (`8.80368`, never float, never
exponents). CSV injection: a text cell that begins with = + - @ (or a tab or carriage return)
is prefixed with a single quote so a spreadsheet shows it as text; a number we wrote
(`-1.25`) is a number, not a formula, and is left as it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from django.utils import timezone

from egis.core.money import plain
from egis.ledger.models import Order, Position
from egis.ledger.pnl import REALIZED_ROWS

WHAT = ("positions", "orders")
CHUNK_ROWS = 2000

POSITION_COLUMNS = (
    "id", "symbol", "side", "status", "requested_size_usd", "size_usd", "qty", "entry_price",
    "exit_price", "fees_usd", "realized_pnl_usd", "net_realized_pnl_usd", "opened_at", "closed_at",
    "close_reason",
)  # fmt: skip
# A closed position's own `qty` is what is still open (0): the export's `qty` is the quantity that
# was traded, its opening order's executed quantity, read by a join in the same chunked query
# (never a query per row); a row without an opening order (reconciled, imported) keeps its own.
_TRADED_QTY = Coalesce(F("opening_order__executed_qty"), F("qty"))
ORDER_COLUMNS = (
    "id", "client_order_id", "position_id", "intent", "side", "symbol", "status",
    "requested_qty", "requested_usd", "executed_qty", "avg_price", "cum_quote_usd", "fee_usd",
    "fee_pending", "venue_order_id", "created_at", "settled_at", "error",
)  # fmt: skip

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> str:
    """One cell as text: decimals plain, times ISO 8601 (UTC), None empty; text that a
    spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Line:
    """csv.writer's file: hands back each written line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _rows(bot_id: int, what: str) -> tuple[Sequence[str], QuerySet[Any], list[str]]:
    if what == "positions":
        fields = [c for c in POSITION_COLUMNS if c not in ("net_realized_pnl_usd", "qty")]
        qs: QuerySet[Any] = Position.objects.filter(REALIZED_ROWS, bot_id=bot_id).annotate(
            traded_qty=_TRADED_QTY
        )
        return POSITION_COLUMNS, qs, [*fields, "traded_qty"]
    fields = list(ORDER_COLUMNS)
    return ORDER_COLUMNS, Order.objects.filter(bot_id=bot_id), fields


def _number(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


def _time(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


_NUMBER_COLUMNS = (
    "requested_size_usd", "size_usd", "qty", "entry_price", "exit_price", "fees_usd",
    "realized_pnl_usd", "net_realized_pnl_usd", "requested_qty", "requested_usd",
    "executed_qty", "avg_price", "cum_quote_usd", "fee_usd",
)  # fmt: skip
# Per column, the one formatter its type needs (no type test per cell on a 100,000-row export);
# text columns go through safe_cell, the only place a formula can come in.
_FORMAT: dict[str, Callable[[Any], str]] = {
    **dict.fromkeys(("id", "position_id"), _int),
    **dict.fromkeys(("opened_at", "closed_at", "created_at", "settled_at"), _time),
    **dict.fromkeys(_NUMBER_COLUMNS, _number),
    "fee_pending": safe_cell,
}


def _formatters(columns: Sequence[str]) -> list[tuple[str, Callable[[Any], str]]]:
    return [(c, _FORMAT.get(c, safe_cell)) for c in columns]


def _cells(
    what: str, row: dict[str, Any], formatters: list[tuple[str, Callable[[Any], str]]]
) -> list[str]:
    if what == "positions":
        row["net_realized_pnl_usd"] = row["realized_pnl_usd"] - row["fees_usd"]
        row["qty"] = row["traded_qty"]
    return [fmt(row[c]) for c, fmt in formatters]


def csv_chunks(bot_id: int, what: str, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The CSV text in pieces: the header, then one piece per chunk of rows, oldest first."""
    if what not in WHAT:
        raise ValueError(f"unknown export {what!r}")
    columns, qs, fields = _rows(bot_id, what)
    formatters = _formatters(columns)
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    last = 0
    while True:
        chunk = list(qs.filter(Q(id__gt=last)).order_by("id").values(*fields)[:chunk_rows])
        if not chunk:
            return
        yield "".join(writer.writerow(_cells(what, row, formatters)) for row in chunk)
        last = chunk[-1]["id"]
        if len(chunk) < chunk_rows:
            return


def export_filename(bot_id: int, what: str, now: datetime) -> str:
    return f"egis-bot-{bot_id}-{what}-{now.strftime('%Y%m%d-%H%M%S')}.csv"


def csv_response(bot_id: int, what: str) -> StreamingHttpResponse:
    """The export as a streamed HTTP answer: shared by the page route and the API."""
    response = StreamingHttpResponse(csv_chunks(bot_id, what), content_type="text/csv")
    name = export_filename(bot_id, what, timezone.now())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
