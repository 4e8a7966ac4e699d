"""An exit Binance never received is placed again while its position stays open.

Its placement's answer was lost and Binance never booked it (-1007, not booked). Past the grace,
recovery judges it never placed: `failed`, loud, an `exit_not_active` incident. The worker's next
re-arm pass (the first step of its poll) then writes a new row under an id derived from the lost
one (`…-r1`) and places it, so the position is protected again, and the incident is resolved
once it rests. Not when the position closed meanwhile, not when the owner cleared that exit
since, and at most EGIS_EXIT_REPLACE_ATTEMPTS times: then the last one stays failed and says so.
A worker killed between the new row and its POST never places it twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.exits import binance_resize, binance_sync, binance_trigger
from egis.exits.binance_recovery import binance_exits_poll, binance_exits_rearm
from egis.exits.binance_recovery import binance_exits_recover as _recover
from egis.exits.models import Exit
from egis.ledger.models import Incident
from egis.ledger.pipeline import order_close
from tests.support.binance_exits import exits_of, open_long, set_exits
from tests.support.fake_binance_algo import ALGO_1007_NOT_BOOKED

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


class Killed(BaseException):
    """The process ends here: nothing after this line runs."""


@pytest.fixture(autouse=True)
def _settings(settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 60
    settings.EGIS_EXIT_REPLACE_ATTEMPTS = 3


@pytest.fixture(autouse=True)
def _no_patch_outlives_its_test():
    yield
    assert binance_trigger.exit_place_again is binance_resize.exit_place_again
    assert binance_resize.place_one is binance_sync.place_one


def past_grace():
    """Recovery, as it runs once every `placing` row is older than the grace."""
    return _recover(now=timezone.now() + timedelta(seconds=61))


def _stop_never_placed(bot, fake_binance):
    position = open_long(bot)  # 0.17 BNB
    fake_binance.fail_next_algo(ALGO_1007_NOT_BOOKED)  # Binance never booked it
    stop = set_exits(bot, position, sl="570")["stop_loss"]
    assert stop.status == "placing"
    past_grace()
    stop.refresh_from_db()
    assert stop.status == "failed" and "never placed" in stop.error
    return position, stop


def _chain(position):
    return list(Exit.objects.filter(position_id=position.pk, kind="stop_loss").order_by("id"))


def test_a_stop_never_placed_is_placed_again_and_rests(binance_bot, fake_binance):
    position, stop = _stop_never_placed(binance_bot, fake_binance)
    incident = Incident.objects.get(kind="exit_not_active")
    assert incident.status == "open" and "automatic attempt 1 of 3" in incident.error
    assert fake_binance.open_algos() == []

    steps = binance_exits_poll().steps  # the worker's next poll re-arms it
    assert [s.outcome for s in steps] == ["resting"]

    old, new = _chain(position)
    assert new.client_algo_id == f"{stop.client_algo_id}-r1"
    assert (old.status, new.status) == ("failed", "resting")
    assert new.quantity == D("0.17") and new.trigger_price == D("570")
    assert old.error.endswith(f"; placed again as {new.client_algo_id}")
    (algo,) = fake_binance.open_algos()
    assert (algo["clientAlgoId"], algo["quantity"]) == (new.client_algo_id, "0.17")
    # The incident is decided by the exit that now rests, and the trail says what happened.
    incident.refresh_from_db()
    assert (incident.status, incident.resolution) == ("resolved", "decided")
    assert new.client_algo_id in incident.resolution_reason
    actions = list(
        position.events.filter(action__startswith="exit_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["exit_failed", "exit_placed_again", "exit_resting"]

    # Once only: the next passes place nothing more.
    binance_exits_poll()
    past_grace()
    binance_exits_rearm()
    assert len(_chain(position)) == 2 and len(fake_binance.open_algos()) == 1


def test_a_stop_never_placed_is_not_placed_again_once_its_position_closed(
    binance_bot, second_bot, fake_binance
):
    position, _stop = _stop_never_placed(binance_bot, fake_binance)
    other, other_stop = _stop_never_placed(second_bot, fake_binance)  # stays open
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    position.refresh_from_db()
    assert position.status == "closed"

    binance_exits_poll()
    binance_exits_rearm()
    assert len(_chain(position)) == 1  # nothing written for the closed position
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [
        f"{other_stop.client_algo_id}-r1"
    ]
    assert exits_of(other)["stop_loss"].status == "resting"


def test_a_stop_never_placed_is_not_placed_again_once_its_owner_cleared_it(
    binance_bot, fake_binance
):
    from egis.exits.services import exits_clear

    position, stop = _stop_never_placed(binance_bot, fake_binance)
    exits_clear(bot_id=binance_bot.pk, position_id=position.pk, kinds=["stop_loss"])
    posts = len(fake_binance.algo_posts)

    binance_exits_poll()
    assert len(_chain(position)) == 1
    assert len(fake_binance.algo_posts) == posts and fake_binance.open_algos() == []
    stop.refresh_from_db()
    assert "not placed again: its owner changed this exit since" in stop.error


def test_a_stop_set_anew_by_its_owner_is_the_only_one_placed(binance_bot, fake_binance):
    position, stop = _stop_never_placed(binance_bot, fake_binance)
    new = set_exits(binance_bot, position, sl="565")["stop_loss"]
    assert new.status == "resting"

    binance_exits_poll()
    assert [e.client_algo_id for e in _chain(position)] == [stop.client_algo_id, new.client_algo_id]
    assert [a["triggerPrice"] for a in fake_binance.open_algos()] == ["565"]
    stop.refresh_from_db()
    assert "not placed again: its owner changed this exit since" in stop.error


def test_after_the_attempts_run_out_the_stop_stays_failed_and_says_so(binance_bot, fake_binance):
    position, stop = _stop_never_placed(binance_bot, fake_binance)
    for attempt in (1, 2, 3):
        fake_binance.fail_next_algo(ALGO_1007_NOT_BOOKED)  # lost again
        binance_exits_rearm()
        latest = _chain(position)[-1]
        assert (latest.client_algo_id, latest.status) == (
            f"{stop.client_algo_id}-r{attempt}",
            "placing",
        )
        past_grace()

    binance_exits_poll()  # nothing left to place
    binance_exits_rearm()
    chain = _chain(position)
    assert len(chain) == 4 and all(e.status == "failed" for e in chain)
    last = chain[-1]
    assert "never placed" in last.error and "its 3 automatic attempts ran out" in last.error
    assert len(fake_binance.algo_posts) == 4 and fake_binance.open_algos() == []
    # Loud: the last one's incident is open and speaks for the chain; the others are decided.
    incidents = Incident.objects.filter(kind="exit_not_active").order_by("id")
    assert [i.status for i in incidents] == ["resolved", "resolved", "resolved", "open"]
    assert incidents.last().payload["client_algo_id"] == last.client_algo_id
    assert "ran out" in incidents.last().error


@pytest.mark.parametrize("dies", ["before the POST", "after the POST"])
def test_a_worker_killed_around_placing_the_replacement_places_it_once(
    binance_bot, fake_binance, monkeypatch, dies
):
    position, stop = _stop_never_placed(binance_bot, fake_binance)
    real = binance_sync.place_one

    def die(exit_row, algos):
        if dies == "after the POST":
            algos.place(binance_sync.algo_request(exit_row, exit_row.position))
        raise Killed

    monkeypatch.setattr(binance_resize, "place_one", die)
    with pytest.raises(Killed):
        binance_exits_poll()
    monkeypatch.setattr(binance_resize, "place_one", real)
    replacement = _chain(position)[-1]
    assert replacement.status == "placing"
    assert replacement.client_algo_id == f"{stop.client_algo_id}-r1"

    # Another worker's pass: the mark went with the row, so nothing is written or sent twice.
    binance_exits_poll()
    assert len(_chain(position)) == 2

    # Recovery settles the row by lookup: found, it rests; never sent, it is placed again (r2).
    _recover()
    past_grace()
    binance_exits_poll()
    binance_exits_poll()
    resting = [e for e in _chain(position) if e.status == "resting"]
    assert len(resting) == 1
    (algo,) = fake_binance.open_algos()
    assert algo["clientAlgoId"] == resting[0].client_algo_id
    sent = [p.params["clientAlgoId"] for p in fake_binance.algo_posts]
    assert len(sent) == len(set(sent))  # no id was ever sent twice
    expected = "-r1" if dies == "after the POST" else "-r2"
    assert resting[0].client_algo_id == f"{stop.client_algo_id}{expected}"
    assert exits_of(position)["stop_loss"].status == "resting"


def test_a_stop_live_again_by_another_path_is_not_doubled(binance_bot, fake_binance):
    """Belt and braces: one live exit per kind. Were a stop of that kind live when the pass
    comes (written by another path than the owner's, which takes the mark away), nothing is
    written, and the failed stop says why it was not placed again."""
    from egis.exits.ids import new_client_algo_id

    position, stop = _stop_never_placed(binance_bot, fake_binance)
    live = Exit.objects.create(
        position=position,
        bot=binance_bot,
        venue="binance_futures",
        symbol="BNBUSDT",
        kind="stop_loss",
        direction="falls",
        trigger_price=D("570"),
        quantity=position.qty,
        client_algo_id=new_client_algo_id(binance_bot.pk),
        status="resting",
    )
    posts = len(fake_binance.algo_posts)
    assert binance_exits_rearm() == []
    assert [e.pk for e in _chain(position)] == [stop.pk, live.pk]
    assert len(fake_binance.algo_posts) == posts
    stop.refresh_from_db()
    assert stop.error.startswith("never placed; not placed again: another of its kind is live")
    assert "placed again as" not in stop.error
