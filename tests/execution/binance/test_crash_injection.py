"""Crash injection against the fake Binance server: the child running the real pipeline with
the real Binance adapter is SIGKILLed after the preflight commit, during the HTTP call (the fake
has booked the order and holds its answer), and after the answer before settle. After
`egis recover` nothing is in flight, no order was sent twice, every hold is settled or released
and the ledger agrees with the exchange."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from egis.ledger import budget
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.venues.secrets import _load_key
from tests.execution.test_crash_injection import (
    child_env as paper_child_env,  # noqa: F401 - a fixture, used below
)
from tests.execution.test_crash_injection import (
    egis_recover,
    kill,
    start_child,
    wait_for_stage,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STAGES = ["before_venue", "in_venue", "answered"]


@pytest.fixture
def child_env(paper_child_env):  # noqa: F811
    # The child must decrypt the account's API secret with the same key as this process.
    return {**paper_child_env, "EGIS_SECRETS_KEY": _load_key().decode()}


def run_to_stage(fake_binance, env, stage: str, *args: str) -> None:
    """Start the child and SIGKILL it at `stage`."""
    if stage != "in_venue":
        child = start_child(env, *args, "--venue", "binance", "--stage", stage)
        wait_for_stage(child, stage)
        kill(child)
        return
    booked, release = threading.Event(), threading.Event()

    def hold_the_answer(order: dict) -> None:
        booked.set()
        release.wait(60)

    fake_binance.after_booking = hold_the_answer
    child = start_child(env, *args, "--venue", "binance")
    try:
        assert booked.wait(120), "the order never reached the fake"
        kill(child)  # the order is booked at the exchange; its answer never arrives
    finally:
        release.set()
        fake_binance.after_booking = None


def assert_consistent(bot, fake_binance) -> None:
    assert not Order.objects.filter(status__in=IN_FLIGHT_ORDER_STATUSES).exists()
    sent = Counter(r.params["newClientOrderId"] for r in fake_binance.order_posts)
    assert all(n == 1 for n in sent.values())  # no order was ever sent twice
    for position in Position.objects.filter(bot=bot):
        if position.status == "cancelled":
            assert position.size_usd == 0
        elif position.status == "open":
            assert position.qty > 0
            opening = position.opening_order
            assert opening is not None and position.size_usd == opening.cum_quote_usd
    reserved = Position.objects.filter(bot=bot, status="open").aggregate(s=Sum("size_usd"))["s"]
    assert budget.get_budget(bot).available_usd == bot.initial_budget_usd - (reserved or 0)
    (item,) = drift_check(bot_id=bot.pk, record=False).items
    assert item.status == "ok", item.as_json()


@pytest.mark.parametrize("stage", STAGES)
def test_binance_open_killed_at_each_stage_recovers(binance_bot, fake_binance, child_env, stage):
    run_to_stage(fake_binance, child_env, stage, "open", str(binance_bot.pk), "--size-usd", "100")
    assert Order.objects.get().status == "submitting"

    egis_recover(child_env)
    egis_recover(child_env)
    order = Order.objects.get()
    position = Position.objects.get(pk=order.position_id)
    if stage == "before_venue":
        assert order.status == "failed" and position.status == "cancelled"
        assert fake_binance.order_posts == []
    else:
        assert order.status == "filled" and position.status == "open"
        assert order.executed_qty == Decimal("0.17")
        assert len(fake_binance.order_posts) == 1
    assert_consistent(binance_bot, fake_binance)


@pytest.mark.parametrize("stage", STAGES)
def test_binance_close_killed_at_each_stage_recovers(binance_bot, fake_binance, child_env, stage):
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    run_to_stage(
        fake_binance,
        child_env,
        stage,
        "close",
        str(binance_bot.pk),
        "--position",
        str(opened.position.pk),
    )
    egis_recover(child_env)
    egis_recover(child_env)
    close = Order.objects.get(intent="close")
    position = Position.objects.get(pk=opened.position.pk)
    if stage == "before_venue":
        assert close.status == "failed"
        assert position.status == "open" and position.closing_order_id is None
    else:
        assert close.status == "filled" and position.status == "closed"
        assert fake_binance.position_amt("BNBUSDT") == 0
    assert Position.objects.count() == 1
    assert_consistent(binance_bot, fake_binance)
