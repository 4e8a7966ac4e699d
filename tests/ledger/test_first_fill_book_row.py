"""Racing first fills on a new paper bot (issue 10, section 3): the paper book row is created so
that it cannot collide, then locked.

On PostgreSQL two first fills both found no `paper_positions` row (a lock on nothing), both
inserted one, and the second hit `paper_positions_unique`: the pipeline called that outcome
unknown (503) and kept the hold. Here the other fill's row appears right after this fill looked
for it, as it does under READ COMMITTED once the other fill commits.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from egis.ledger.models import Incident, Order
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


class CompetingFirstFill:
    """Inserts the flat book row another first fill would have committed, just after this
    transaction's first look at `paper_positions` and before its next statement."""

    def __init__(self, bot_id: int, symbol: str) -> None:
        self.bot_id = bot_id
        self.symbol = symbol
        self.looked = False
        self.inserted = False

    def __call__(self, execute, sql, params, many, context):
        if self.looked and not self.inserted:
            self.inserted = True
            stamp = PaperPosition._meta.get_field("updated_at").get_db_prep_save(
                timezone.now(), connection
            )
            execute(
                'INSERT INTO "paper_positions" ("bot_id", "symbol", "side", "qty", '
                '"entry_price", "status", "updated_at") VALUES (%s, %s, %s, %s, %s, %s, %s)',
                [self.bot_id, self.symbol, "long", 0, 0, "closed", stamp],
                False,
                context,
            )
        if sql.lstrip().upper().startswith("SELECT") and '"paper_positions"' in sql:
            self.looked = True
        return execute(sql, params, many, context)


def test_a_first_fill_whose_book_row_appears_meanwhile_still_fills(paper_bot):
    assert not PaperPosition.objects.filter(bot=paper_bot).exists()  # a new bot: no book row
    competing = CompetingFirstFill(paper_bot.pk, "ETHUSDT")
    with connection.execute_wrapper(competing):
        result = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    assert competing.inserted
    assert result.order.status == "filled"
    assert result.position.qty == Decimal("0.006")
    book = PaperPosition.objects.get(bot=paper_bot)
    assert (book.status, book.side, book.qty) == ("open", "long", Decimal("0.006"))
    assert PaperFill.objects.filter(bot=paper_bot).count() == 1
    assert not Order.objects.filter(status__in=["submitting", "unknown"]).exists()
    assert not Incident.objects.exists()


def test_the_book_row_exists_and_is_locked_before_the_first_fill_is_written(paper_bot):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    statements = [q["sql"] for q in captured.captured_queries]
    fill_insert = next(i for i, s in enumerate(statements) if 'INTO "paper_fills"' in s)
    book_writes = [
        i
        for i, s in enumerate(statements)
        if s.upper().startswith(("INSERT", "UPDATE")) and '"paper_positions"' in s
    ]
    # Created flat (a conflict-proof insert) before the fill, updated after it: never inserted
    # with the fill's figures, so a racing first fill has nothing to collide with.
    created, updated = book_writes
    assert created < fill_insert < updated
    assert "OR IGNORE" in statements[created].upper()
    assert statements[updated].upper().startswith("UPDATE")
    looked_again = [
        i for i in range(created, fill_insert) if 'FROM "paper_positions"' in statements[i]
    ]
    assert looked_again  # the row is read (locked, on PostgreSQL) after it surely exists
