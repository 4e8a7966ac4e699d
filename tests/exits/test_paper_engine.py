"""The paper trigger engine: a price path crosses take-profit, stop-loss and trailing stops (with
gaps); each closes its position exactly once, through the pipeline, at the price +- slippage."""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from egis.exits.models import Exit, ExitStatus
from egis.exits.paper_engine import CROSSED_FALLS_SQL, CROSSED_RISES_SQL, TRAIL_FALLS_SQL
from egis.exits.paper_engine import exits_check as check
from egis.exits.rules import parse_changes
from egis.exits.tasks import exits_catch_up
from egis.ledger.errors import OrderRefused
from egis.ledger.models import Incident, Order, Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.venues.paper.models import PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slippage(settings):
    settings.EGIS_PAPER_SLIPPAGE_BPS = Decimal("10")  # 0.1 %


def _open(bot, side="long", **exits):
    return order_open(
        bot_id=bot.pk, side=side, size_usd="20", exits=parse_changes(**exits)
    ).position


def _walk(set_price, path):
    reports = []
    for price in path:
        set_price("ETHUSDT", price)
        reports.append(check())
    return reports


def _closes(position):
    return Order.objects.filter(position=position, intent="close")


def test_take_profit_crossed_by_a_gap_closes_once_at_the_price_less_slippage(
    paper_bot, set_price, slippage
):
    position = _open(paper_bot, take_profit="3000", stop_loss="2800")
    reports = _walk(set_price, ["2950", "2999.99", "3050", "3100", "2700"])
    assert [len(r.fired) for r in reports] == [0, 0, 1, 0, 0]
    position.refresh_from_db()
    assert position.status == "closed"
    assert position.close_reason == "take_profit"
    close = _closes(position).get()
    assert close.close_reason == "take_profit"
    assert close.avg_price == Decimal("3046.95")  # 3050 less 0.1 %, at the tick, rounded down
    assert position.exit_price == Decimal("3046.95")
    tp = Exit.objects.get(kind="take_profit")
    assert (tp.status, tp.fired_price, tp.closing_order_id) == (
        "triggered",
        Decimal(3050),
        close.pk,
    )
    assert Exit.objects.get(kind="stop_loss").status == ExitStatus.CANCELLED  # one-cancels-other
    event = PositionEvent.objects.get(position=position, action="exit_triggered")
    assert "take-profit at $3,000.00 crossed: price $3,050.00; closing 0.006 ETH" in event.reason


def test_short_stop_loss_crossed_by_a_gap_up(paper_bot, set_price, slippage):
    position = _open(paper_bot, side="short", stop_loss="3000", take_profit="2500")
    _walk(set_price, ["2900", "2990", "3200", "3300"])
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "stop_loss")
    assert _closes(position).get().avg_price == Decimal("3203.20")  # 3200 plus 0.1 %, rounded up
    assert Exit.objects.get(kind="take_profit").status == ExitStatus.CANCELLED


def test_long_stop_loss_by_percentage(paper_bot, set_price):
    position = _open(paper_bot, stop_loss="1%")
    sl = Exit.objects.get()
    assert sl.trigger_price == Decimal("2905.21")  # 2934.56 x 0.99
    _walk(set_price, ["2905.22", "2905.21"])
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "stop_loss")
    assert position.exit_price == Decimal("2905.21")  # no slippage configured


def test_trailing_stop_follows_the_price_up_and_fires_on_the_way_down(
    paper_bot, set_price, slippage
):
    position = _open(paper_bot, trailing_stop="1")
    trailing = Exit.objects.get()
    assert trailing.trigger_price == Decimal("2905.21")
    reports = _walk(set_price, ["3000", "3100", "3080", "3100", "3200", "3170", "3100"])
    assert [r.trailed for r in reports] == [1, 1, 0, 0, 1, 0, 0]
    assert [len(r.fired) for r in reports] == [0, 0, 0, 0, 0, 0, 1]
    trailing.refresh_from_db()
    assert trailing.extreme_price == Decimal("3200")
    assert trailing.trigger_price == Decimal("3168")  # 3200 x 0.99
    assert trailing.status == ExitStatus.TRIGGERED
    moves = PositionEvent.objects.filter(position=position, action="exit_trailed")
    assert [e.after["trigger_price"] for e in moves.order_by("id")] == ["2970", "3069", "3168"]
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "trailing_stop")
    assert position.exit_price == Decimal("3096.90")


def test_trailing_stop_with_activation_waits_for_its_price(paper_bot, set_price):
    position = _open(
        paper_bot, side="short", trailing_stop={"callback_pct": "2", "activation_price": "2900"}
    )
    trailing = Exit.objects.get()
    assert (trailing.trigger_price, trailing.extreme_price) == (None, Decimal("2900"))
    _walk(set_price, ["2950", "3500"])  # not active: nothing fires however far it goes
    assert Position.objects.get(pk=position.pk).status == "open"
    _walk(set_price, ["2890", "2800", "2855", "2856"])
    trailing.refresh_from_db()
    assert trailing.extreme_price == Decimal("2800")
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "trailing_stop")
    assert position.exit_price == Decimal("2856")  # trigger 2800 x 1.02 = 2856


def _race(bot_id: int, position_id: int) -> Counter[str]:
    """A manual close and the engine's evaluation, released together."""
    start = threading.Barrier(2)
    outcomes: Counter[str] = Counter()

    def manual() -> None:
        start.wait()
        try:
            order_close(bot_id=bot_id, position_id=position_id)
            outcomes["manual"] += 1
        except OrderRefused:
            outcomes["manual refused"] += 1
        finally:
            connection.close()

    def trigger() -> None:
        start.wait()
        try:
            outcomes.update(f["outcome"] for f in check().fired)
        finally:
            connection.close()

    threads = [threading.Thread(target=manual), threading.Thread(target=trigger)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_a_trigger_and_a_manual_close_racing_close_once(paper_bot, set_price):
    winners: Counter[str] = Counter()
    for _ in range(6):
        position = _open(paper_bot, stop_loss="2900")
        set_price("ETHUSDT", "2800")
        outcomes = _race(paper_bot.pk, position.pk)
        assert _closes(position).count() == 1
        assert outcomes["manual"] + outcomes["closed"] == 1
        position.refresh_from_db()
        assert position.status == "closed"
        sl = Exit.objects.get(position=position)
        if outcomes["manual"]:
            assert (position.close_reason, sl.status) == ("manual", "cancelled")
        else:
            assert (position.close_reason, sl.status) == ("stop_loss", "triggered")
        winners["manual" if outcomes["manual"] else "trigger"] += 1
        set_price("ETHUSDT", "2934.56")
    assert not Incident.objects.exists()


def test_an_exit_crossed_while_the_worker_was_down_closes_at_start_up(paper_bot, set_price):
    position = _open(paper_bot, take_profit="3000")
    set_price("ETHUSDT", "3100")  # while no worker watches: nothing evaluates
    set_price("ETHUSDT", "3020")
    assert Position.objects.get(pk=position.pk).status == "open"
    assert exits_catch_up() == 1
    position.refresh_from_db()
    assert (position.status, position.exit_price) == ("closed", Decimal("3020"))
    event = PositionEvent.objects.get(position=position, action="exit_triggered")
    assert "found crossed when a worker started" in event.reason
    assert "caught up at start-up" in event.reason
    assert exits_catch_up() == 0


def test_a_partial_close_resizes_the_exits_and_the_fired_one_rests_again(
    paper_bot, set_price, settings
):
    position = _open(paper_bot, take_profit="3000", stop_loss="2800")
    settings.EGIS_PAPER_FILL_RATIO = Decimal("0.5")
    _walk(set_price, ["3010"])
    position.refresh_from_db()
    assert position.status == "open"
    live = {e.kind: e for e in Exit.objects.filter(status="resting")}
    assert set(live) == {"take_profit", "stop_loss"}
    assert all(e.quantity == position.qty for e in live.values())
    assert PositionEvent.objects.filter(action="exit_resized").count() == 1
    settings.EGIS_PAPER_FILL_RATIO = Decimal("1")
    _walk(set_price, ["3020"])
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "take_profit")
    assert _closes(position).count() == 2


def test_a_close_the_venue_refuses_leaves_the_exit_failed_and_loud(paper_bot, set_price):
    position = _open(paper_bot, stop_loss="2900")
    PaperPosition.objects.filter(bot=paper_bot).update(qty=0, status="closed")  # book drifted
    _walk(set_price, ["2850"])
    sl = Exit.objects.get()
    assert sl.status == ExitStatus.FAILED
    assert "refused" in sl.error
    assert Position.objects.get(pk=position.pk).status == "open"
    assert Incident.objects.filter(kind="venue_refused_close").count() == 1
    _walk(set_price, ["2800"])  # a failed exit never fires again
    assert _closes(position).count() == 1


def test_other_bots_and_symbols_are_untouched(paper_bot, set_price, bob):
    from egis.bots.services import bot_create

    other = bot_create(owner=bob, name="B", venue="paper", symbol="ETHUSDT", budget_usd="100")
    mine = _open(paper_bot, stop_loss="2900")
    theirs = order_open(bot_id=other.pk, side="long", size_usd="20").position
    _walk(set_price, ["2850"])
    assert Position.objects.get(pk=mine.pk).status == "closed"
    assert Position.objects.get(pk=theirs.pk).status == "open"


@pytest.mark.parametrize("sql", [CROSSED_RISES_SQL, CROSSED_FALLS_SQL])
def test_the_search_is_a_range_scan_of_the_partial_index(db, sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, ["ETHUSDT", 1])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "exits_paper_resting_trigger" in plan
    assert "trigger_price" in plan  # the range is on the trigger, not a filter after the scan


def test_the_trailing_search_uses_its_index(db):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + TRAIL_FALLS_SQL, ["ETHUSDT", 1])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "exits_paper_trailing_extreme" in plan


def test_an_exit_of_a_position_closed_elsewhere_is_cancelled_not_retried(paper_bot, set_price):
    position = _open(paper_bot, stop_loss="2900")
    Position.objects.filter(pk=position.pk).update(status="closed")  # e.g. an incident's close
    [fired] = _walk(set_price, ["2800"])[0].fired
    assert fired["outcome"] == "cancelled"
    assert Exit.objects.get().status == ExitStatus.CANCELLED
    assert _walk(set_price, ["2700"])[0].fired == []
    assert not _closes(position).exists()


def test_the_close_sent_line_names_the_crossing_price_as_such(paper_bot, set_price):
    """The take-profit was $3,000.00 and the price $3,020.00 crossed it: "close … by the
    take-profit at $3,020" read as the take-profit's own price."""
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position
    set_price("ETHUSDT", "3020")
    check()
    [line] = PositionEvent.objects.filter(position=position, action="closing")
    assert line.reason.endswith("by the take-profit (the price crossed it at $3,020.00)")
