"""CSV export: streamed in chunks, header and every row, money as plain decimal strings,
formula-looking text cells quoted; the page route, the API and the CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.export import ORDER_COLUMNS, POSITION_COLUMNS, csv_chunks, safe_cell
from tests.support.cli_inprocess import run_cli

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_rows(bot, n: int) -> None:
    now = timezone.now()
    Position.objects.bulk_create(
        Position(
            bot=bot,
            symbol=bot.symbol,
            side="long",
            status="closed",
            requested_size_usd=Decimal("10"),
            size_usd=Decimal("10"),
            qty=Decimal("0.003"),
            entry_price=Decimal("2934.56"),
            exit_price=Decimal("2900"),
            fees_usd=Decimal("0.0125"),
            realized_pnl_usd=Decimal("-0.10368") if i % 2 else Decimal("1.5"),
            closed_at=now,
        )
        for i in range(n)
    )


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("-1.25", "-1.25"),
        (Decimal("-0.10368"), "-0.10368"),
        (Decimal("1E+2"), "100"),
        (None, ""),
    ],
)
def test_cells_are_injection_safe_and_numbers_stay_numbers(value, cell):
    assert safe_cell(value) == cell


def test_the_positions_export_streams_every_closed_row_in_chunks(paper_bot, set_price):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")  # stays open: not exported
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    _closed_rows(paper_bot, 4_999)
    with CaptureQueriesContext(connection) as queries:
        chunks = list(csv_chunks(paper_bot.pk, "positions", chunk_rows=1000))
    assert len(chunks) == 1 + 5  # the header, then one piece per chunk of rows
    # A bounded query per chunk (and one that finds the end), never one for the whole history.
    assert len(queries) == 6
    assert all("LIMIT 1000" in q["sql"] for q in queries.captured_queries)
    rows = _parse("".join(chunks))
    assert tuple(rows[0]) == POSITION_COLUMNS
    assert len(rows) == 1 + 5_000
    ids = [int(r[0]) for r in rows[1:]]
    assert ids == sorted(ids) and len(set(ids)) == 5_000
    net = rows[-1][POSITION_COLUMNS.index("net_realized_pnl_usd")]
    assert net in ("-0.11618", "1.4875")  # exact decimal strings, never float, never exponents


def test_order_text_that_looks_like_a_formula_is_quoted(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    Order.objects.filter(pk=opened.order.pk).update(error="=cmd|' /C calc'!A0")
    rows = _parse("".join(csv_chunks(paper_bot.pk, "orders")))
    assert tuple(rows[0]) == ORDER_COLUMNS
    [row] = rows[1:]
    assert row[ORDER_COLUMNS.index("error")] == "'=cmd|' /C calc'!A0"
    assert row[ORDER_COLUMNS.index("client_order_id")] == opened.order.client_order_id
    assert row[ORDER_COLUMNS.index("intent")] == "open"


def test_the_page_route_streams_a_csv_attachment(paper_bot, bob, charlie, page_as):
    _closed_rows(paper_bot, 2_500)
    answer = page_as(bob).get(f"/bots/{paper_bot.pk}/export.csv?what=positions")
    assert answer.status_code == 200 and answer.streaming
    assert answer["Content-Type"] == "text/csv"
    assert "attachment; filename=" in answer["Content-Disposition"]
    rows = _parse(b"".join(answer.streaming_content).decode())
    assert len(rows) == 1 + 2_500
    assert page_as(bob).get(f"/bots/{paper_bot.pk}/export.csv?what=x").status_code == 400
    assert page_as(charlie).get(f"/bots/{paper_bot.pk}/export.csv?what=orders").status_code == 404


def test_the_api_streams_the_same_csv(paper_bot, bob, api_as):
    _closed_rows(paper_bot, 3)
    answer = api_as(bob).get(f"/bots/{paper_bot.pk}/export.csv?what=positions")
    assert answer.status_code == 200 and answer.streaming
    assert len(_parse(b"".join(answer.streaming_content).decode())) == 4
    assert api_as(bob).get(f"/bots/{paper_bot.pk}/export.csv?what=nope").status_code == 422


def test_the_cli_writes_the_csv_to_stdout_or_a_file(paper_bot, tmp_path):
    _closed_rows(paper_bot, 7)
    code, out, err = run_cli("export", str(paper_bot.pk), "--what", "positions")
    assert code == 0, err
    rows = _parse(out)
    assert tuple(rows[0]) == POSITION_COLUMNS and len(rows) == 8
    target = tmp_path / "orders.csv"
    code, out, err = run_cli(
        "export", str(paper_bot.pk), "--what", "positions", "--out", str(target), "--json"
    )
    assert code == 0, err
    assert '"rows": 7' in out
    assert len(_parse(target.read_text())) == 8
    code, _, err = run_cli("export", "999999", "--what", "orders")
    assert code == 1 and "does not exist" in err


def test_a_closed_position_exports_the_quantity_traded_and_why_it_closed(paper_bot, set_price):
    # Closed by hand: its own qty is 0 now; the export says what was bought (the opening fill).
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    closed = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert closed.position.qty == 0 and opened.order.executed_qty == Decimal("0.006")
    _closed_rows(paper_bot, 2_500)  # no opening order (imported): they keep their own qty
    with CaptureQueriesContext(connection) as queries:
        rows = _parse("".join(csv_chunks(paper_bot.pk, "positions", chunk_rows=1000)))
    assert len(queries) == 3  # still one bounded query per chunk: the quantity comes by a join
    assert all("LIMIT 1000" in q["sql"] for q in queries.captured_queries)
    assert POSITION_COLUMNS[-1] == "close_reason"
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["id"] == str(opened.position.pk)
    assert first["qty"] == "0.006"
    assert first["close_reason"] == closed.position.close_reason != ""
    assert {r[POSITION_COLUMNS.index("qty")] for r in rows[2:]} == {"0.003"}
