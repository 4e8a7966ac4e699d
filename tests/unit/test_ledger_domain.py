from decimal import Decimal as D

import pytest

from egis.ledger.domain import (
    Fill,
    PositionState,
    apply_close_fill,
    apply_open_fill,
    fill_from_venue,
)

HOLD = PositionState("open", D("10"), D("0"), None, None, D("0"), D("0"))


def test_open_fill_replaces_the_hold_with_the_executed_notional():
    state = apply_open_fill(HOLD, Fill(D("0.003"), D("8.80368"), D("2934.56"), D("0.0044")))
    assert state.size_usd == D("8.80368") == state.qty * state.entry_price
    assert state.fees_usd == D("0.0044")


def test_nothing_filled_cancels():
    state = apply_open_fill(HOLD, Fill(D("0"), D("0"), None, D("0")))
    assert state.status == "cancelled" and state.size_usd == 0


def test_partial_close_shrinks_pro_rata_and_stays_open():
    opened = PositionState("open", D("9"), D("3"), D("3"), None, D("0"), D("0"))
    state = apply_close_fill(opened, Fill(D("1"), D("4"), D("4"), D("0")), side="long")
    assert state.status == "open" and state.qty == D("2") and state.size_usd == D("6")
    assert state.realized_pnl_usd == D("1")


def test_full_close_of_a_short_realizes_the_move():
    opened = PositionState("open", D("300"), D("3"), D("100"), None, D("0"), D("0"))
    state = apply_close_fill(opened, Fill(D("3"), D("270"), D("90"), D("0.1")), side="short")
    assert state.status == "closed" and state.realized_pnl_usd == D("30")
    assert state.fees_usd == D("0.1")


def test_a_close_can_never_fill_more_than_the_position():
    opened = PositionState("open", D("9"), D("3"), D("3"), None, D("0"), D("0"))
    with pytest.raises(ValueError, match="holds only"):
        apply_close_fill(opened, Fill(D("4"), D("12"), D("3"), D("0")), side="long")


def test_venue_figures_are_rounded_with_a_trace():
    fill, steps = fill_from_venue(D("0.003"), D("8.8036812345"), D("2934.560411"), D("0"))
    assert fill.cum_quote_usd == D("8.80368123")
    assert fill.avg_price == D("2934.56041100")
    assert any("cum quote" in s for s in steps)
