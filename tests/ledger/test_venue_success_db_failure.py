"""Journal section 4: "Binance order placed but DB transaction failed" can never crash Egis.

The venue executes for real (the paper venue writes its fill); then the database write that books
it fails. The caller gets a controlled error naming the order; what the venue said is kept in a
incident, or in the journal file when the database itself cannot be written.
"""

import json
import sqlite3
import threading

import pytest
from django.db import connection

from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperFill
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def test_ledger_row_vanishes_after_the_fill(paper_bot):
    """The original incident: a lookup after the venue call finds no row (firstOrFail)."""

    def delete_the_order_row(request, report):
        # Someone (an operator, a bad migration) removed the row between preflight and settle.
        order_id = Order.objects.get(client_order_id=request.client_order_id).pk
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM position_events WHERE order_id = %s", [order_id])
            cursor.execute("UPDATE positions SET opening_order_id = NULL")
            cursor.execute("DELETE FROM orders WHERE id = %s", [order_id])

    venue = RecordingPaperVenue(paper_bot, after_fill=delete_the_order_row)
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)

    error = info.value
    assert error.client_order_id.startswith(f"egis-{paper_bot.pk}-")
    assert error.client_order_id in error.message
    assert error.incident_id is not None
    incident = Incident.objects.get(pk=error.incident_id)
    assert incident.kind == "db_failed_after_venue"
    assert incident.client_order_id == error.client_order_id
    assert incident.payload["report"]["executed_qty"] == "0.003"
    assert incident.venue_order_id == PaperFill.objects.get().venue_order_id
    assert incident.order_id is None or Order.objects.filter(pk=incident.order_id).exists()


def test_database_locked_after_the_fill_writes_the_journal(paper_bot, journal_path, settings):
    """Another process holds the write lock past the busy timeout right after the venue fill."""
    db_file = connection.settings_dict["NAME"]
    release = threading.Event()
    locked = threading.Event()

    def hold_exclusive_lock():
        other = sqlite3.connect(db_file, timeout=1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(30)
        other.execute("ROLLBACK")
        other.close()

    def lock_the_database(request, report):
        threading.Thread(target=hold_exclusive_lock, daemon=True).start()
        assert locked.wait(5)
        connection.close()  # reconnect with a short busy timeout for this test
        connection.settings_dict["OPTIONS"]["timeout"] = 0.2

    venue = RecordingPaperVenue(paper_bot, after_fill=lock_the_database)
    try:
        with pytest.raises(OrderNotBooked) as info:
            order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
    finally:
        release.set()
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = settings.SQLITE_BUSY_TIMEOUT_S

    assert "recovery journal" in info.value.message
    lines = [json.loads(line) for line in journal_path.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["client_order_id"] == info.value.client_order_id
    assert lines[0]["payload"]["report"]["executed_qty"] == "0.003"
    assert lines[0]["kind"] == "db_failed_after_venue"


def test_an_adapter_that_raises_unexpectedly_leaves_the_order_unknown(paper_bot):
    venue = RecordingPaperVenue(paper_bot, raise_after_fill=TimeoutError("read timed out"))
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
    order = Order.objects.get(client_order_id=info.value.client_order_id)
    assert order.status == "unknown"
    assert info.value.http_status == 503
    # the hold stays reserved until a lookup decides
    assert Position.objects.get(pk=order.position_id).size_usd == 10
