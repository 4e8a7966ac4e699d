"""An incident's explanation prints figures as the rest of the app does: quantities in the base
asset, prices and money in dollars grouped by thousands (was "0.2 executed at an average price
of 61728.39 ($12345.68)", "a long of 0.2 BTCUSDT")."""

from __future__ import annotations

import pytest

from egis.ledger.models import Incident, IncidentKind
from egis.web.incident_details import incident_sentences

pytestmark = pytest.mark.django_db


def test_a_venue_report_reads_with_units_and_grouping(paper_bot):
    incident = Incident(
        kind=IncidentKind.DB_FAILED_AFTER_VENUE,
        bot=paper_bot,
        client_order_id="egis-1-x",
        intent="open",
        payload={
            "report": {
                "status": "FILLED",
                "executed_qty": "4.2",
                "avg_price": "2939.4459",
                "cum_quote_usd": "12345.67278",
            }
        },
    )
    said = incident_sentences(incident)
    assert (
        "The venue reported the order filled, 4.2 ETH executed at an average price of "
        "$2,939.4459 ($12,345.68)."
    ) in said


def test_a_drift_names_quantities_in_the_base_asset(paper_bot):
    incident = Incident(
        kind=IncidentKind.DRIFT,
        bot=paper_bot,
        payload={
            "venue": "paper",
            "symbol": "ETHUSDT",
            "ledger_qty": "-0.5",
            "venue_qty": "0",
            "positions": [{"id": 21, "side": "short", "qty": "0.5"}],
        },
    )
    said = " ".join(incident_sentences(incident))
    assert "holds no ETH, while the ledger's open positions hold a short of 0.5 ETH." in said
    assert "Positions involved: #21 (short 0.5 ETH)." in said
