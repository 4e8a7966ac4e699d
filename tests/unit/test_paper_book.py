from decimal import Decimal as D

from egis.venues.paper.book import BookState, apply_fill, fold_fills


def test_adding_averages_the_entry():
    state = fold_fills([("buy", D("1"), D("100")), ("buy", D("1"), D("110"))])
    assert state == BookState(D("2"), D("105"))


def test_reducing_keeps_the_entry_and_closing_flattens():
    state = fold_fills([("buy", D("2"), D("100")), ("sell", D("1"), D("120"))])
    assert state == BookState(D("1"), D("100"))
    assert not apply_fill(state, side="sell", qty=D("1"), price=D("90")).is_open


def test_flip_opens_the_remainder_at_the_fill_price():
    state = fold_fills([("buy", D("1"), D("100")), ("sell", D("3"), D("90"))])
    assert state.side == "short" and state.qty == D("2") and state.entry_price == D("90")


def test_zero_fill_changes_nothing():
    state = BookState(D("1"), D("100"))
    assert apply_fill(state, side="sell", qty=D("0"), price=D("1")) is state
