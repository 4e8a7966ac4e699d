"""A journal line torn by a SIGKILL does not swallow the next fact written after it.

The journal is the last record of what a venue said when the database could not be written
(egis.ledger.journal). A process killed in the middle of its append leaves a line without its
end. The next append went straight after it, on the same line: the next fact (a venue fill that
the database could not book) was then one unreadable line with the torn one, imported as raw
text only, not as the incident of its order.
"""

from __future__ import annotations

import pytest

from egis.ledger.journal import journal_append, journal_import
from egis.ledger.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_fact_appended_after_a_torn_line_is_imported_as_its_own(paper_bot, journal_path):
    with journal_path.open("a") as fh:
        fh.write('{"kind": "db_failed_after_venue", "client_order_id": "egis-1-dd')  # torn
    journal_append(
        {
            "kind": "db_failed_after_venue",
            "bot_id": paper_bot.pk,
            "order_id": 7,
            "client_order_id": "egis-1-ffff",
            "intent": "open",
            "payload": {"report": {"executed_qty": "0.003", "venue_order_id": "p-1"}},
            "error": "OperationalError: database is locked",
        }
    )

    report = journal_import()

    assert report.lines == 2 and report.unreadable == [1]
    fact = Incident.objects.get(dedupe_key="unbooked:egis-1-ffff")
    assert (fact.client_order_id, fact.venue_order_id) == ("egis-1-ffff", "p-1")
    raw = Incident.objects.get(dedupe_key__startswith="journal:")
    assert raw.payload["raw_line"].endswith('"egis-1-dd')  # the torn line, kept raw, alone
