"""A close killed right after it cancelled the position's exits at Binance leaves them to be
placed again, not silently gone.

A close cancels the exits first (each cancel confirmed and committed), then writes the mark
that tells the worker to place them again if the position stays open (REARM_MARK), then runs its
preflight. A SIGKILL (a deploy, the OOM killer) between the cancels and that mark used to leave
an open position with its stops cancelled and nothing to place them again: unprotected, and no
line says so. Here the process "dies" at that point: BaseException from the last cancel, which
nothing in Egis catches, as nothing runs after a SIGKILL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.exits import binance_resize, binance_sync, binance_trigger
from egis.exits.binance_recovery import binance_exits_rearm
from egis.exits.models import Exit
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close
from tests.support.binance_exits import exits_of, open_long, set_exits

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


class Killed(BaseException):
    """The process ends here: nothing after this line runs."""


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


@pytest.fixture(autouse=True)
def _no_patch_outlives_its_test():
    """binance_trigger binds exit_place_again from binance_resize when it is imported. Were it
    first imported (lazily, by binance_recovery) while a test here patches binance_resize, the
    patch would stay bound in binance_trigger for every later test on this worker: it did, and a
    later test died of Killed. It is imported above, before any patch; this checks it held."""
    yield
    assert binance_trigger.exit_place_again is binance_resize.exit_place_again
    assert binance_resize.cancel_one is binance_sync.cancel_one


def _stop_fired_in_part(binance_bot, fake_binance):
    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570")
    fake_binance.fill_ratio = D("0.5")  # the stop's order fills 0.08 of 0.17
    fake_binance.set_mark_price("BNBUSDT", "569")
    fake_binance.fill_ratio = D(1)
    fake_binance.set_mark_price("BNBUSDT", "575")  # back above it: the stop can rest again
    return position


def _killed_in(monkeypatch, module, name: str, run) -> None:
    """`run()` with `module.name` replaced by a process death (nothing after it runs)."""

    def die(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(module, name, die)
    with pytest.raises(Killed):
        run()
    monkeypatch.undo()


def test_exits_cancelled_by_a_close_killed_before_its_preflight_are_placed_again(
    binance_bot, fake_binance, monkeypatch
):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    real = binance_sync._cancel_rows

    def cancel_then_die(rows, **kwargs):
        real(rows, **kwargs)
        raise Killed

    monkeypatch.setattr(binance_sync, "_cancel_rows", cancel_then_die)
    with pytest.raises(Killed):
        order_close(bot_id=binance_bot.pk, position_id=position.pk)
    monkeypatch.undo()

    assert fake_binance.open_algos() == []  # cancelled at Binance before the process died
    assert Position.objects.get(pk=position.pk).status == "open"
    assert not Order.objects.filter(position_id=position.pk, intent="close").exists()

    # The worker, once the close can no longer be on its way, places them again.
    binance_exits_rearm(now=timezone.now() + timedelta(seconds=31))
    exits = exits_of(position)
    assert {k: e.status for k, e in exits.items()} == {
        "stop_loss": "resting",
        "take_profit": "resting",
    }
    assert len(fake_binance.open_algos()) == 2


def test_a_worker_killed_as_it_places_an_exit_again_leaves_it_for_the_next_pass(
    binance_bot, fake_binance, monkeypatch
):
    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570")
    fake_binance.fill_ratio = D("0.5")  # the close fills in part: the stop is to rest again
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    fake_binance.fill_ratio = D(1)
    assert fake_binance.open_algos() == []

    _killed_in(monkeypatch, binance_resize, "exit_place_again", binance_exits_rearm)

    binance_exits_rearm()  # the next pass (or the next worker)
    assert exits_of(position)["stop_loss"].status == "resting"
    assert [a["quantity"] for a in fake_binance.open_algos()] == ["0.09"]


def test_a_worker_killed_while_it_resizes_an_exit_leaves_it_to_be_placed_again(
    binance_bot, fake_binance, monkeypatch
):
    from egis.exits.binance_recovery import binance_exits_poll

    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570", tp="600")
    fake_binance.fill_ratio = D("0.5")  # the stop's order fills 0.08 of 0.17
    fake_binance.set_mark_price("BNBUSDT", "569")
    fake_binance.fill_ratio = D(1)

    # The poll books the partial fill, cancels the take-profit to resize it, and dies there.
    _killed_in(monkeypatch, binance_resize, "exit_place_again", binance_exits_poll)
    position.refresh_from_db()
    assert (position.status, position.qty) == ("open", D("0.09"))
    assert exits_of(position)["take_profit"].status == "cancelled"

    binance_exits_rearm(now=timezone.now() + timedelta(seconds=31))  # the poll's first step
    assert exits_of(position)["take_profit"].status == "resting"
    assert exits_of(position)["take_profit"].quantity == D("0.09")


def test_a_worker_killed_after_booking_a_partial_trigger_places_the_exit_again(
    binance_bot, fake_binance, monkeypatch
):
    from egis.exits.binance_recovery import binance_exits_poll, binance_exits_recover

    position = _stop_fired_in_part(binance_bot, fake_binance)

    # The poll books the partial fill and dies before placing the stop again.
    _killed_in(monkeypatch, binance_trigger, "exit_place_again", binance_exits_poll)
    position.refresh_from_db()
    assert (position.status, position.qty) == ("open", D("0.09"))

    assert binance_exits_rearm() == []  # its booker may still be placing it: not yet
    later = timezone.now() + timedelta(seconds=61)
    binance_exits_rearm(now=later)
    binance_exits_recover(now=later)
    binance_exits_poll()
    binance_exits_rearm(now=later)  # the mark was consumed: placed once
    live = [e for e in Exit.objects.filter(position_id=position.pk) if e.status == "resting"]
    assert [(e.kind, e.quantity) for e in live] == [("stop_loss", D("0.09"))]
    assert [a["quantity"] for a in fake_binance.open_algos()] == ["0.09"]
    fired = Exit.objects.get(position_id=position.pk, status="triggered")
    assert fired.error == ""


def test_a_partial_trigger_placed_again_by_its_booker_leaves_nothing_for_the_rearm(
    binance_bot, fake_binance
):
    from egis.exits.binance_recovery import binance_exits_poll

    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570")
    fake_binance.fill_ratio = D("0.5")
    fake_binance.set_mark_price("BNBUSDT", "569")
    fake_binance.fill_ratio = D(1)
    fake_binance.set_mark_price("BNBUSDT", "575")  # back above it: the stop can rest again
    binance_exits_poll()
    assert Exit.objects.get(position_id=position.pk, status="triggered").error == ""
    assert binance_exits_rearm(now=timezone.now() + timedelta(seconds=61)) == []
    assert [a["quantity"] for a in fake_binance.open_algos()] == ["0.09"]


def test_a_worker_killed_after_writing_the_replacement_before_sending_it_is_loud(
    binance_bot, fake_binance, monkeypatch
):
    """The replacement row is written (`placing`, the mark consumed with it) and the process dies
    before the POST leaves: Binance never knew it. Past the grace, recovery judges it never
    placed: `failed`, with an `exit_not_active` incident (the position shows it has no stop).
    That row is never sent again: a "not found" can be Binance's lag, and a second send after
    the grace would race a close's own judgement of the same row (a review found that). The
    next re-arm pass places a new row under a derived id instead (egis.exits.binance_replace),
    and the incident is decided once it rests."""
    from egis.exits.binance_recovery import binance_exits_poll, binance_exits_recover

    position = _stop_fired_in_part(binance_bot, fake_binance)
    _killed_in(monkeypatch, binance_resize, "place_one", binance_exits_poll)
    [placing] = Exit.objects.filter(position_id=position.pk, status="placing")

    later = timezone.now() + timedelta(seconds=61)
    binance_exits_rearm(now=later)
    binance_exits_recover(now=later)
    placing.refresh_from_db()
    assert placing.status == "failed" and "never placed" in placing.error
    (incident,) = Incident.objects.filter(kind="exit_not_active")
    assert fake_binance.open_algos() == []

    binance_exits_rearm(now=later)  # the next poll's first step
    (again,) = Exit.objects.filter(position_id=position.pk, status="resting")
    assert again.client_algo_id == f"{placing.client_algo_id}-r1"
    assert [a["quantity"] for a in fake_binance.open_algos()] == ["0.09"]
    incident.refresh_from_db()
    assert incident.status == "resolved"


@pytest.mark.parametrize("waiting", ["fired in part", "cancelled for a close"])
def test_an_exit_its_owner_cleared_is_not_placed_again_by_the_rearm(
    binance_bot, fake_binance, monkeypatch, waiting
):
    """An exit waits to be placed again (its booker died after a partial fill, or a close that
    cancelled it filled in part). Meanwhile its owner clears that kind: the owner's last word
    wins, and nothing is placed."""
    from egis.exits.binance_recovery import binance_exits_poll
    from egis.exits.services import exits_clear

    if waiting == "fired in part":
        position = _stop_fired_in_part(binance_bot, fake_binance)

        _killed_in(monkeypatch, binance_trigger, "exit_place_again", binance_exits_poll)
    else:
        position = open_long(binance_bot)
        set_exits(binance_bot, position, sl="570")
        fake_binance.fill_ratio = D("0.5")  # the close fills in part: the stop is to rest again
        order_close(bot_id=binance_bot.pk, position_id=position.pk)
        fake_binance.fill_ratio = D(1)
    assert fake_binance.open_algos() == []

    exits_clear(bot_id=binance_bot.pk, position_id=position.pk, kinds=["stop_loss"])
    binance_exits_rearm(now=timezone.now() + timedelta(seconds=61))

    live = [e for e in Exit.objects.filter(position_id=position.pk) if e.status == "resting"]
    assert live == []
    assert fake_binance.open_algos() == []
