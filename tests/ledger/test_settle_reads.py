"""Settle's reads and writes after the issue 11 cuts, each pinned by the real pipeline:

- the exits read runs only for a close whose position has live exits (else there is nothing to
  read), and a close with live exits still ends them;
- the per-bot closed totals are one upsert: the first close creates the row, later ones add to
  it, an archive subtracts, and the result equals the SUM the drift job compares (the same
  figures as the UPDATE-then-INSERT kept for other databases);
- a replayed fill settles once: no second event, no second close in the totals.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.services import bot_create, position_archive
from egis.exits.models import Exit, ExitStatus
from egis.exits.rules import TrailingSpec
from egis.ledger.models import Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.settle import settle_order
from egis.portfolio.models import BotClosedTotals
from egis.portfolio.totals import totals_of
from egis.portfolio.totals_check import totals_by_sum
from egis.venues.paper.models import PaperFill
from egis.venues.paper.venue import PaperVenue, fill_report
from tests.support.sql_sent import sql_sent

pytestmark = pytest.mark.django_db(transaction=True)

_EXITS_READ = 'FROM "exits"'  # the live exits read (RowQuery quotes names)


def test_a_close_reads_exits_only_when_its_position_has_live_ones(paper_bot):
    bare = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    sent = sql_sent(lambda: order_close(bot_id=paper_bot.pk, position_id=bare.pk))
    assert not any(_EXITS_READ in sql for sql in sent)

    guarded = order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits={"trailing_stop": TrailingSpec(Decimal("2"))},
    ).position
    sent = sql_sent(lambda: order_close(bot_id=paper_bot.pk, position_id=guarded.pk))
    assert any(_EXITS_READ in sql for sql in sent)
    assert Exit.objects.get(position_id=guarded.pk).status == ExitStatus.CANCELLED


def _closes_and_archive(bot_id: int, set_price, alice) -> None:  # type: ignore[no-untyped-def]
    for exit_price, archive in (("2950.00", False), ("2900.00", True), ("2934.56", False)):
        set_price("ETHUSDT", "2934.56")
        opened = order_open(bot_id=bot_id, side="long", size_usd="20")
        set_price("ETHUSDT", exit_price)
        order_close(bot_id=bot_id, position_id=opened.position.pk)
        if archive:
            position_archive(position=Position.objects.get(pk=opened.position.pk), actor=alice)
        assert totals_of([bot_id]) == totals_by_sum([bot_id])


def test_the_totals_are_one_upsert_that_equals_the_sum(paper_bot, set_price, alice):
    assert not BotClosedTotals.objects.filter(bot_id=paper_bot.pk).exists()
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    sent = sql_sent(lambda: order_close(bot_id=paper_bot.pk, position_id=opened.position.pk))
    totals = [sql for sql in sent if "bot_closed_totals" in sql]
    assert len(totals) == 1 and "ON CONFLICT (bot_id) DO UPDATE" in totals[0]
    assert BotClosedTotals.objects.get(bot_id=paper_bot.pk).closed_count == 1
    _closes_and_archive(paper_bot.pk, set_price, alice)
    kept = totals_of([paper_bot.pk])[paper_bot.pk]
    assert kept.closed_count == 3  # four closes, one archived


def test_the_update_then_insert_kept_for_other_databases_gives_the_same_totals(
    paper_bot, bob, set_price, alice, monkeypatch
):
    _closes_and_archive(paper_bot.pk, set_price, alice)
    upserted = totals_of([paper_bot.pk])[paper_bot.pk]
    other = bot_create(owner=bob, name="Other", venue="paper", symbol="ETHUSDT", budget_usd="100")
    monkeypatch.setattr("egis.portfolio.totals._UPSERT_VENDORS", ())
    sent = sql_sent(lambda: _closes_and_archive(other.pk, set_price, alice))
    assert not any("ON CONFLICT" in sql for sql in sent if "bot_closed_totals" in sql)
    assert totals_of([other.pk])[other.pk] == upserted


def test_a_replayed_fill_settles_once(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    closed = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    events_before = PositionEvent.objects.count()
    totals_before = totals_of([paper_bot.pk])
    report = fill_report(PaperFill.objects.get(client_order_id=closed.order.client_order_id))
    again = settle_order(closed.order.pk, report, via="replay")
    assert again.already_settled
    assert PositionEvent.objects.count() == events_before
    assert totals_of([paper_bot.pk]) == totals_before
    assert PaperVenue(paper_bot).lookup_order(
        symbol="ETHUSDT", client_order_id=closed.order.client_order_id
    ).executed_qty == Decimal(closed.order.executed_qty)
