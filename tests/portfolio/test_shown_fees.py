"""Fees as shown add up (a newcomer's finding, session 6): each position's fees in whole cents
(`shown_fee_cents`, half away from zero), the bot's closed totals the sum of its closed rows'
shown cents, the portfolio header the sum of every row's (closed and open). A $25 paper position
at 2934.56 pays 0.01173824 a fill, 0.02347648 a round trip: three round trips are 0.0704 exact
(0.07 rounded) but 3 x 0.02 = 0.06 on the rows, and the header used to say the former."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from egis.bots.selectors import bot_detail, dashboard
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.models import BotClosedTotals
from egis.portfolio.totals import totals_of
from egis.portfolio.totals_check import totals_by_sum

pytestmark = pytest.mark.django_db(transaction=True)


def _round_trips(bot, n: int) -> None:
    for _ in range(n):
        opened = order_open(bot_id=bot.pk, side="long", size_usd="25")
        order_close(bot_id=bot.pk, position_id=opened.position.pk)


def test_the_header_and_the_closed_totals_add_up_to_the_rows(paper_bot, bob):
    _round_trips(paper_bot, 3)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="25")  # open: its entry fee

    page = bot_detail(bob, paper_bot)
    closed_rows = [row["display"]["fees_usd"] for row in page["closed"]["items"]]
    open_rows = [row["display"]["fees_usd"] for row in page["open_positions"]]
    assert closed_rows == ["0.02", "0.02", "0.02"]
    assert open_rows == ["0.01"]
    totals = page["bot"]["closed_totals"]
    assert totals["fees_usd"] == "0.06"  # the rows' sum, not 0.07 (the exact sum rounded)
    assert totals["fees_exact_usd"] == "0.07042944"

    _, header = dashboard(bob)
    assert header["fees_usd"] == "0.07"  # 0.06 closed + 0.01 open, not 0.08 (0.0821 rounded)
    assert header["fees_exact_usd"] == "0.08216768"
    assert totals_of([paper_bot.pk])[paper_bot.pk] == totals_by_sum([paper_bot.pk])[paper_bot.pk]


def test_the_migration_backfills_the_shown_fees_from_the_rows(paper_bot):
    _round_trips(paper_bot, 3)
    BotClosedTotals.objects.filter(bot_id=paper_bot.pk).update(shown_fee_cents=0)

    migration = importlib.import_module("egis.portfolio.migrations.0002_shown_fee_cents")
    migration.backfill(None, connection.schema_editor())

    kept = BotClosedTotals.objects.get(bot_id=paper_bot.pk)
    assert kept.shown_fee_cents == 6
    assert kept.fees_usd == Decimal("0.07042944")
