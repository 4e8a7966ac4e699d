"""The drift check: ledger open qty vs the paper book; incidents deduped; bots halted for opens."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection

from egis.bots.models import Bot
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import IncidentError
from egis.ledger.errors import BotNotTradable
from egis.ledger.models import Incident, Order, OrderStatus, Position
from egis.ledger.pipeline import order_close, order_open
from egis.reconcile.drift import drift_check
from egis.reconcile.paper import paper_reconcile
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


def checksum(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed table names
        return hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()


@pytest.fixture
def opened(paper_bot):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    return paper_bot, result.position


def test_a_consistent_ledger_has_no_drift(opened):
    bot, _ = opened
    report = drift_check()
    assert [i.status for i in report.items] == ["ok"]
    assert report.items[0].ledger_qty == Decimal("0.006")
    assert report.items[0].venue_qty == Decimal("0.006")
    assert not report.drift
    assert Incident.objects.count() == 0
    assert Bot.objects.get(pk=bot.pk).halted_reason == ""


def test_drift_is_recorded_once_halts_opens_and_never_edits_the_ledger(opened, alice):
    bot, position = opened
    PaperPosition.objects.filter(bot=bot).delete()
    ledger_before = checksum("positions") + checksum("orders")

    first = drift_check()
    assert [i.status for i in first.drift] == ["drift"]
    item = first.drift[0]
    assert item.ledger_qty == Decimal("0.006") and item.venue_qty == 0
    assert "reconcile-paper-positions" in item.hint  # the fills agree with the ledger
    incident = Incident.objects.get()
    assert incident.kind == "drift" and incident.status == "open"
    assert incident.payload["ledger_qty"] == "0.006"
    halted = Bot.objects.get(pk=bot.pk)
    assert halted.halted_reason.startswith("drift: ")
    assert f"#{incident.pk}" in halted.halted_reason

    again = drift_check()
    assert again.drift[0].incident_id == incident.pk
    assert Incident.objects.count() == 1
    assert checksum("positions") + checksum("orders") == ledger_before

    with pytest.raises(BotNotTradable, match="halted"):
        order_open(bot_id=bot.pk, side="long", size_usd="10")

    # Acknowledging is refused while the difference is still there.
    with pytest.raises(IncidentError, match="still there"):
        incident_resolve(incident_id=incident.pk, action="acknowledge", reason="x", actor=alice)
    paper_reconcile(bot_id=bot.pk, confirm=True)
    resolution = incident_resolve(
        incident_id=incident.pk,
        action="acknowledge",
        reason="paper book rebuilt from its fills",
        actor=alice,
    )
    assert resolution.halts_lifted == [bot.pk]
    assert Bot.objects.get(pk=bot.pk).halted_reason == ""
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_by == alice
    event = position_event(bot.pk, "reconciliation_resolved")
    assert event.actor == alice and "paper book rebuilt" in event.reason
    assert not drift_check().drift

    # A new difference later is a new incident, not the resolved one.
    PaperPosition.objects.filter(bot=bot).delete()
    drift_check()
    assert Incident.objects.filter(status="open").count() == 1
    assert Incident.objects.count() == 2
    assert position.pk  # the ledger position was never touched


def position_event(bot_id: int, action: str):
    from egis.ledger.models import PositionEvent

    return PositionEvent.objects.filter(bot_id=bot_id, action=action).latest("id")


def test_closes_stay_allowed_while_halted(opened):
    bot, position = opened
    PaperPosition.objects.filter(bot=bot).update(qty=Decimal("0.001"))
    drift_check()
    assert Bot.objects.get(pk=bot.pk).is_halted
    # The venue still has 0.001: a reduce-only close of 0.006 is refused by it, but the pipeline
    # lets the close through to the venue (the halt only refuses opens).
    paper_reconcile(bot_id=bot.pk, confirm=True)
    result = order_close(bot_id=bot.pk, position_id=position.pk)
    assert result.position.status == "closed"


def test_in_flight_orders_are_not_drift(opened):
    bot, position = opened
    order = Order.objects.get(position=position)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.UNKNOWN)
    PaperPosition.objects.filter(bot=bot).delete()
    report = drift_check()
    assert [i.status for i in report.items] == ["in_flight"]
    assert report.items[0].in_flight_orders == [order.client_order_id]
    assert Incident.objects.count() == 0
    assert not Bot.objects.get(pk=bot.pk).is_halted


def test_a_position_the_venue_never_had_is_closed_by_an_audited_resolution(opened, alice):
    bot, position = opened
    # The venue lost it: no fill, no book (e.g. a paper database restored from an old copy).
    PaperFill.objects.all().delete()
    PaperPosition.objects.all().delete()
    report = drift_check()
    assert report.drift[0].fills_qty == 0
    assert "close-position" in report.drift[0].hint
    incident = Incident.objects.get()

    with pytest.raises(IncidentError, match="--price"):
        incident_resolve(
            incident_id=incident.pk, action="close-position", reason="gone", actor=alice
        )
    resolution = incident_resolve(
        incident_id=incident.pk,
        action="close-position",
        reason="venue has no such position",
        price="2934.56",
        actor=alice,
    )
    closed = Position.objects.get(pk=position.pk)
    assert closed.status == "closed"
    assert closed.exit_price == Decimal("2934.56")
    assert resolution.halts_lifted == [bot.pk]
    event = position_event(bot.pk, "closed_by_reconciliation")
    assert event.actor == alice and event.before["status"] == "open"
    assert not drift_check().drift
    assert Position.objects.count() == 1  # nothing deleted, nothing created
