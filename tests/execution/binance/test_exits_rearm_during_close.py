"""Exits placed again by the worker never rest on a position that a close in flight is closing.

After a close fills in part, the worker places the exits it cancelled again for what is left
(egis.exits.binance_recovery.binance_exits_rearm). It picks them while no close is in flight,
then writes and places each one. If a new close's preflight commits in between (its
exits_before_close found nothing live to cancel), the exit placed again must not reach Binance:
once that close fills, a reduce-only stop would be left resting on a closed position, where it
can fire on another bot's share of the netted account + symbol (until the rest of the poll
pass, or the next one, finds it on a closed position and cancels it)."""

from decimal import Decimal

import pytest

from egis.exits import binance_resize
from egis.exits.binance_recovery import binance_exits_rearm
from egis.exits.binance_rows import REARM_MARK
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close
from egis.venues.registry import venue_for
from tests.support.binance_exits import exits_of, open_long, set_exits

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


class _PlaceAgainDuringTheCall:
    """The bot's real Binance venue; just before the close's POST, the worker's pending
    placement runs (the interleaving under test)."""

    def __init__(self, inner, pending):
        self.inner, self.pending = inner, pending

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def place_market_order(self, request):
        self.pending()
        return self.inner.place_market_order(request)


def test_a_stop_placed_again_while_a_close_is_in_flight_does_not_outlive_the_close(
    binance_bot, fake_binance, monkeypatch
):
    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570")
    fake_binance.fill_ratio = D("0.5")  # the first close fills 0.08 of 0.17
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    fake_binance.fill_ratio = D(1)
    assert Position.objects.get(pk=position.pk).status == "open"
    assert fake_binance.open_algos() == []  # cancelled for the close, to be placed again

    real = binance_resize.exit_place_again

    def close_starts_meanwhile(exit_row, position_row, *, algos, reason, **kwargs):
        # The worker picked the exit; now someone closes the rest of the position.
        def pending():
            steps.append(real(exit_row, position_row, algos=algos, reason=reason, **kwargs))

        order_close(
            bot_id=binance_bot.pk,
            position_id=position.pk,
            venue=_PlaceAgainDuringTheCall(venue_for(binance_bot), pending),
        )
        return steps[-1]

    steps = []
    monkeypatch.setattr(binance_resize, "exit_place_again", close_starts_meanwhile)
    binance_exits_rearm()  # the first step of the worker's poll

    position.refresh_from_db()
    assert position.status == "closed"
    assert fake_binance.position_amt("BNBUSDT") == 0
    assert fake_binance.open_algos() == []  # nothing rests on the closed position
    assert exits_of(position)["stop_loss"].status not in ("placing", "resting")
    assert [s.outcome for s in steps] == ["deferred"]
    # The cancelled stop keeps its mark: had that close left the position open, the next pass
    # would place it again.
    assert exits_of(position)["stop_loss"].error.startswith(REARM_MARK)
