"""The pure diff between the fold of the paper fills and a `paper_positions` row."""

from decimal import Decimal as D

from egis.reconcile.diff import BookRow, count_changes, paper_book_diff, row_for
from egis.venues.paper.book import BookState, fold_fills

LONG = fold_fills([("buy", D("0.003"), D("2934.56"))])


def test_open_book_without_a_row_is_created():
    change = paper_book_diff(1, "ETHUSDT", LONG, None)
    assert change is not None
    assert change.action == "create"
    assert change.before is None
    assert change.after == BookRow("long", D("0.003"), D("2934.56"), "open")


def test_matching_row_needs_nothing():
    assert paper_book_diff(1, "ETHUSDT", LONG, row_for(LONG, None)) is None


def test_flat_book_with_an_open_row_is_closed():
    row = BookRow("long", D("0.003"), D("2934.56"), "open")
    change = paper_book_diff(1, "ETHUSDT", BookState(), row)
    assert change is not None
    assert change.action == "close"
    assert change.after.status == "closed"
    assert change.after.qty == 0
    assert change.after.entry_price == D("2934.56")  # a flat book keeps its last entry


def test_size_price_or_side_mismatch_is_an_update():
    for wrong in (
        BookRow("long", D("0.002"), D("2934.56"), "open"),
        BookRow("long", D("0.003"), D("2900"), "open"),
        BookRow("short", D("0.003"), D("2934.56"), "open"),
        BookRow("long", D("0"), D("2934.56"), "closed"),
    ):
        change = paper_book_diff(1, "ETHUSDT", LONG, wrong)
        assert change is not None and change.action == "update", wrong
        assert change.before == wrong
        assert change.after == row_for(LONG, None)


def test_flat_book_and_closed_row_or_no_row_need_nothing():
    assert paper_book_diff(1, "ETHUSDT", BookState(), None) is None
    closed = BookRow("long", D("0"), D("2934.56"), "closed")
    assert paper_book_diff(1, "ETHUSDT", BookState(), closed) is None


def test_describe_and_counts():
    change = paper_book_diff(7, "ETHUSDT", LONG, None)
    assert change is not None
    assert change.describe() == "create bot #7 ETHUSDT: (no row) -> long 0.003 @ 2934.56"
    assert change.as_json()["after"] == {
        "status": "open",
        "side": "long",
        "qty": "0.003",
        "entry_price": "2934.56",
    }
    assert count_changes([change]) == {"create": 1, "close": 0, "update": 0, "total": 1}
