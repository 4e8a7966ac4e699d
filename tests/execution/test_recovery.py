"""In-flight recovery: settle by a positive lookup, release only after repeated "not found"
answers spread over the grace period, escalate what cannot be decided; never settle twice."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from egis.execution.recovery import recover, recover_in_flight
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order, Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from tests.execution.support.venues import (
    KilledMidCallVenue,
    LostRequestVenue,
    ProcessKilled,
    UnreachableLookupVenue,
)
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def recovery_settings(settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = 3
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 60
    settings.EGIS_RECOVERY_ESCALATE_S = 300


def unknown_after_fill(bot, **kwargs) -> Order:
    venue = RecordingPaperVenue(bot, raise_after_fill=TimeoutError("read timed out"), **kwargs)
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=bot.pk, side="long", size_usd="20", venue=venue)
    return Order.objects.get(client_order_id=info.value.client_order_id)


def test_a_filled_but_unconfirmed_order_is_settled_by_lookup(paper_bot):
    order = unknown_after_fill(paper_bot)
    assert order.status == "unknown"
    assert budget.get_budget(paper_bot).available_usd == Decimal("80")  # the hold

    report = recover()
    assert [o.action for o in report.outcomes] == ["settled"]
    order.refresh_from_db()
    position = Position.objects.get(pk=order.position_id)
    assert order.status == "filled" and order.executed_qty == Decimal("0.006")
    assert position.size_usd == position.qty * position.entry_price == Decimal("17.60736")
    assert budget.get_budget(paper_bot).available_usd == Decimal("82.39264")
    assert recover().outcomes == []  # nothing left in flight


def submitting_when_killed(bot) -> Order:
    with pytest.raises(ProcessKilled):
        order_open(bot_id=bot.pk, side="long", size_usd="20", venue=KilledMidCallVenue(bot))
    order = Order.objects.get()
    assert order.status == "submitting"
    return order


def test_a_young_submitting_order_is_left_alone_and_the_report_says_so(paper_bot, settings, capsys):
    settings.EGIS_RECOVERY_TIMEOUT_S = 30
    order = submitting_when_killed(paper_bot)

    report = recover()

    assert report.outcomes == []  # its request may still be on its way: not looked up yet
    order.refresh_from_db()
    assert order.status == "submitting"
    (young,) = report.not_examined
    assert young.client_order_id == order.client_order_id
    assert 0 <= young.age_seconds < 30 and young.timeout_seconds == 30
    assert "1 order in flight is younger than 30 s: not examined yet" in report.summary_line()
    assert report.as_json()["not_examined"][0]["client_order_id"] == order.client_order_id

    call_command("egis", "recover")
    out = capsys.readouterr().out
    assert "1 order in flight is younger than 30 s: not examined yet" in out
    assert f"{order.client_order_id} (open, bot #{paper_bot.pk}): submitting for" in out


def test_an_old_submitting_order_is_looked_up_and_no_longer_listed_as_young(paper_bot, settings):
    settings.EGIS_RECOVERY_TIMEOUT_S = 30
    order = submitting_when_killed(paper_bot)

    report = recover(now=order.created_at + timedelta(seconds=31))

    assert [o.action for o in report.outcomes] == ["waiting"]  # never placed: not found, once
    assert report.not_examined == []
    assert "not examined" not in report.summary_line()


def test_an_unknown_order_is_looked_up_at_once_whatever_the_timeout(paper_bot, settings):
    # The venue already answered (a timeout, a 5xx): nothing is still waiting for it.
    settings.EGIS_RECOVERY_TIMEOUT_S = 3600
    order = unknown_after_fill(paper_bot)

    report = recover()

    assert [o.action for o in report.outcomes] == ["settled"]
    assert report.not_examined == []
    order.refresh_from_db()
    assert order.status == "filled"


def test_not_found_releases_only_after_repeated_answers_over_the_grace_period(paper_bot):
    venue = LostRequestVenue(paper_bot)
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20", venue=venue)
    order = Order.objects.get()
    start = timezone.now()

    # Three answers at once are not enough (lag right after placing looks the same) ...
    for _ in range(3):
        (outcome,) = recover_in_flight(now=start)
        assert outcome.action == "waiting"
    order.refresh_from_db()
    assert order.status == "unknown"
    assert order.venue_response["recovery"]["not_found_count"] == 3
    assert budget.get_budget(paper_bot).available_usd == Decimal("80")

    # ... the grace period must have passed since the first one.
    (outcome,) = recover_in_flight(now=start + timedelta(seconds=61))
    assert outcome.action == "released"
    order.refresh_from_db()
    position = Position.objects.get(pk=order.position_id)
    assert order.status == "failed"
    assert position.status == "cancelled" and position.size_usd == 0
    assert budget.get_budget(paper_bot).available_usd == Decimal("100")
    assert PositionEvent.objects.filter(action="hold_released").count() == 1


def test_a_lost_close_releases_the_closing_mark_not_the_position(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    with pytest.raises(OrderNotBooked):
        order_close(
            bot_id=paper_bot.pk, position_id=opened.position.pk, venue=LostRequestVenue(paper_bot)
        )
    start = timezone.now()
    for _ in range(3):
        recover_in_flight(now=start)
    (outcome,) = recover_in_flight(now=start + timedelta(seconds=60))
    assert outcome.action == "released" and outcome.intent == "close"
    position = Position.objects.get(pk=opened.position.pk)
    assert position.status == "open" and position.closing_order_id is None
    assert position.size_usd == Decimal("17.60736")


def test_an_undecidable_order_becomes_one_pending_reconciliation(paper_bot):
    venue = UnreachableLookupVenue(paper_bot)
    with pytest.raises(OrderNotBooked):
        order_open(
            bot_id=paper_bot.pk,
            side="long",
            size_usd="20",
            venue=RecordingPaperVenue(paper_bot, raise_after_fill=TimeoutError("timeout")),
        )
    order = Order.objects.get()
    factory = lambda bot: venue  # noqa: E731
    (early,) = recover_in_flight(venue_factory=factory)
    assert early.action == "waiting" and "connect failed" in early.detail
    later = timezone.now() + timedelta(seconds=301)
    (late,) = recover_in_flight(venue_factory=factory, now=later)
    assert late.action == "escalated"
    (again,) = recover_in_flight(venue_factory=factory, now=later)
    assert again.incident_id == late.incident_id
    incident = Incident.objects.get()
    assert incident.kind == "unknown_order" and incident.order_id == order.pk

    # Once the venue answers again, recovery books it and closes the incident as booked.
    report = recover()
    assert [o.action for o in report.outcomes] == ["settled"]
    assert report.incidents_closed == [incident.pk]
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolution == "booked"


def test_several_workers_at_once_settle_each_order_exactly_once(paper_bot):
    orders = [unknown_after_fill(paper_bot) for _ in range(3)]
    barrier = threading.Barrier(4)
    actions: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            actions.extend(o.action for o in recover_in_flight())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert actions.count("settled") == 3
    assert set(actions) <= {"settled", "already_settled"}
    for order in orders:
        order.refresh_from_db()
        assert order.status == "filled"
        assert PositionEvent.objects.filter(order=order, action="open_filled").count() == 1
    assert budget.get_budget(paper_bot).available_usd == Decimal("100") - 3 * Decimal("17.60736")
