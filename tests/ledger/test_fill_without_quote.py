"""Invariant 3 when a venue answer carries no cumulative quote (Binance without cumQuote and with
userTrades unavailable): size_usd is still executed qty x average price, never 0."""

from dataclasses import replace
from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from egis.venues.base import OrderReport, OrderRequest
from egis.venues.binance.reports import order_report
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


class NoQuoteVenue(RecordingPaperVenue):
    """Fills on the paper venue, answers like Binance would without cumQuote and trades."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        report = super().place_market_order(request)
        answer = {
            "clientOrderId": report.client_order_id,
            "orderId": report.venue_order_id,
            "status": "FILLED",
            "executedQty": str(report.executed_qty),
            "avgPrice": str(report.avg_price),
        }
        parsed = order_report(answer, None)
        assert parsed.cum_quote_usd == 0 and parsed.avg_price == report.avg_price
        return replace(parsed, raw={})


def test_an_answer_without_cum_quote_books_qty_times_price(paper_bot):
    result = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", venue=NoQuoteVenue(paper_bot)
    )

    position = Position.objects.get(pk=result.position.pk)
    assert position.qty == Decimal("0.006")
    assert position.size_usd == Decimal("0.006") * Decimal("2934.56")
    assert budget.get_budget(paper_bot).available_usd == Decimal("100") - position.size_usd
