"""The journal fallback is imported into incidents once, whatever happens."""

import json

import pytest

from egis.execution.recovery import recover
from egis.ledger.journal import journal_append, journal_import
from egis.ledger.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def line(bot_id, order_id, client_order_id, **extra):
    return {
        "kind": "db_failed_after_venue",
        "bot_id": bot_id,
        "order_id": order_id,
        "client_order_id": client_order_id,
        "intent": "open",
        "payload": {"position_id": 1, "report": {"executed_qty": "0.003", "venue_order_id": "p-9"}},
        "error": "OperationalError: database is locked",
        **extra,
    }


def test_each_line_becomes_exactly_one_incident(paper_bot, journal_path):
    journal_append(line(paper_bot.pk, 999, "egis-1-aaaa"))
    journal_append(line(paper_bot.pk, 998, "egis-1-bbbb"))

    first = journal_import()
    assert first.lines == 2 and len(first.imported) == 2
    again = journal_import()
    assert again.imported == [] and again.already == 2
    assert Incident.objects.count() == 2

    incident = Incident.objects.get(client_order_id="egis-1-aaaa")
    assert incident.kind == "db_failed_after_venue"
    assert incident.bot_id == paper_bot.pk
    assert incident.order_id is None  # the row does not exist (restored database): ids kept
    assert incident.payload["journal_order_id"] == 999
    assert incident.payload["source"] == "journal"
    assert incident.venue_order_id == "p-9"
    assert incident.dedupe_key == "unbooked:egis-1-aaaa"


def test_a_torn_line_is_kept_raw_and_the_rest_imported(paper_bot, journal_path):
    journal_append(line(paper_bot.pk, 1, "egis-1-cccc"))
    with journal_path.open("a") as fh:
        fh.write('{"kind": "db_failed_after_venue", "client_order_id": "egis-1-dd')  # torn write
    report = recover()
    assert report.journal is not None
    assert report.journal.lines == 2 and report.journal.unreadable == [2]
    raw = Incident.objects.get(client_order_id="")
    assert raw.payload["raw_line"].startswith('{"kind"')
    recover()
    assert Incident.objects.count() == 2


def test_the_journal_file_is_never_rewritten(paper_bot, journal_path):
    journal_append(line(paper_bot.pk, 1, "egis-1-eeee"))
    before = journal_path.read_bytes()
    journal_import()
    assert journal_path.read_bytes() == before
    assert json.loads(before)["client_order_id"] == "egis-1-eeee"


def test_no_journal_no_work(paper_bot, journal_path):
    assert journal_import().lines == 0
