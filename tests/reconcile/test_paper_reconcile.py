"""`paper_reconcile`: paper_positions follows paper_fills; dry run by default; ledger untouched."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection

from egis.ledger.models import Order
from egis.ledger.pipeline import order_close, order_open
from egis.reconcile.paper import ReconcileError, paper_reconcile
from egis.venues.paper.book import fold_fills
from egis.venues.paper.models import PaperFill, PaperPosition
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def table_checksum(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed table names
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def book(bot_id: int) -> dict[str, tuple]:
    return {
        p.symbol: (p.side, p.qty, p.entry_price, p.status)
        for p in PaperPosition.objects.filter(bot_id=bot_id)
    }


@pytest.fixture
def traded(paper_bot):
    """Two opens, a partial close and a full close: a book with history."""
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    half = RecordingPaperVenue(paper_bot, fill_ratio=Decimal("0.5"))
    order_close(bot_id=paper_bot.pk, position_id=first.position.pk, venue=half)
    return paper_bot


def test_nothing_to_do_on_a_consistent_book(traded):
    result = paper_reconcile(bot_id=traded.pk)
    assert result.nothing_to_do
    assert result.counts == {"create": 0, "close": 0, "update": 0, "total": 0}
    assert result.bots_checked == 1
    assert result.summary_line().startswith("dry run, nothing changed: would create 0")


def test_emptied_book_is_rebuilt_and_ledger_untouched(traded):
    expected = book(traded.pk)
    fills = [(f.side, f.qty, f.price) for f in PaperFill.objects.order_by("id")]
    state = fold_fills(fills)
    assert expected["ETHUSDT"][:3] == (state.side, state.qty, state.entry_price)
    positions_before = table_checksum("positions")
    orders_before = table_checksum("orders")

    PaperPosition.objects.all().delete()
    dry = paper_reconcile(bot_id=traded.pk)
    assert dry.counts["create"] == 1
    assert PaperPosition.objects.count() == 0  # a dry run changes nothing

    applied = paper_reconcile(bot_id=traded.pk, confirm=True)
    assert applied.counts["create"] == 1
    assert applied.summary_line().startswith("applied: create 1, close 0, update 0")
    assert book(traded.pk) == expected
    assert paper_reconcile(confirm=True).nothing_to_do  # the second run finds nothing
    assert table_checksum("positions") == positions_before
    assert table_checksum("orders") == orders_before


def test_dry_run_changes_nothing_and_confirm_repairs_every_kind(traded, bob, set_price):
    from egis.bots.services import bot_create

    other = bot_create(owner=bob, name="flat", venue="paper", symbol="ETHUSDT", budget_usd="50")
    # A wrong size on one bot and a ghost open row on a bot that never traded.
    PaperPosition.objects.filter(bot=traded).update(qty=Decimal("9"))
    PaperPosition.objects.create(
        bot=other, symbol="ETHUSDT", side="short", qty=Decimal("1"), entry_price=1, status="open"
    )
    mirror_before = table_checksum("paper_positions")
    positions_before = table_checksum("positions")

    dry = paper_reconcile()
    assert {(c.action, c.bot_id) for c in dry.changes} == {
        ("update", traded.pk),
        ("close", other.pk),
    }
    update = next(c for c in dry.changes if c.action == "update")
    assert update.before is not None and update.before.qty == Decimal("9")
    assert table_checksum("paper_positions") == mirror_before

    applied = paper_reconcile(confirm=True)
    assert applied.counts == {"create": 0, "close": 1, "update": 1, "total": 2}
    assert PaperPosition.objects.get(bot=other).status == "closed"
    assert paper_reconcile().nothing_to_do
    assert table_checksum("positions") == positions_before


def test_progress_is_reported_per_bot(traded):
    seen = []
    paper_reconcile(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)]


def test_a_binance_or_missing_bot_is_refused(paper_bot):
    with pytest.raises(ReconcileError, match="does not exist"):
        paper_reconcile(bot_id=9999)
    assert Order.objects.count() == 0
