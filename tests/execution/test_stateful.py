"""A Hypothesis state machine over opens, closes, partial fills, crashed orders, deleted or
corrupted mirror rows, paper reconciliations and recoveries, checking the invariants after each
step:

- budget = initial - sum of open size_usd, exact, never above the initial budget;
- no position is ever created by a close;
- size_usd = qty x entry price for every booked open position (single-price fills);
- once nothing is in flight, the ledger's open quantity equals the paper venue's fills;
- after a reconciliation the paper book equals the fold of the fills, and a second run finds
  nothing to do.
"""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from egis.accounts.models import User
from egis.bots.services import bot_create
from egis.execution.recovery import recover_in_flight
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked, OrderRefused
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.reconcile.paper import paper_books_from_fills, paper_reconcile
from egis.venues.models import SymbolFilter
from egis.venues.paper.book import BookState
from egis.venues.paper.models import PaperPosition
from egis.venues.prices.sources import price_set
from tests.execution.support.venues import LostRequestVenue
from tests.support.venues import RecordingPaperVenue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RATIOS = st.sampled_from([Decimal("1"), Decimal("1"), Decimal("0.5"), Decimal("0.3"), Decimal(0)])
SIZES = st.decimals(min_value=Decimal("1"), max_value=Decimal("60"), places=2)
_names = itertools.count()


class LedgerVenueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        owner = User.objects.get(username="bob")
        self.bot = bot_create(
            owner=owner,
            name=f"sm-{next(_names)}",
            venue="paper",
            symbol="ETHUSDT",
            budget_usd="100",
        )

    # --- actions --------------------------------------------------------------------------

    @rule(side=st.sampled_from(["long", "short"]), size=SIZES, ratio=RATIOS)
    def open(self, side: str, size: Decimal, ratio: Decimal) -> None:
        venue = RecordingPaperVenue(self.bot, fill_ratio=ratio)
        with contextlib.suppress(OrderRefused, OrderNotBooked):
            order_open(bot_id=self.bot.pk, side=side, size_usd=size, venue=venue)

    @rule(pick=st.integers(0, 5), ratio=RATIOS)
    def close(self, pick: int, ratio: Decimal) -> None:
        ids = list(
            Position.objects.filter(bot=self.bot, status="open", qty__gt=0)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not ids:
            return
        venue = RecordingPaperVenue(self.bot, fill_ratio=ratio)
        # The venue may refuse (e.g. its book row was deleted): that is an outcome too.
        with contextlib.suppress(OrderRefused, OrderNotBooked):
            order_close(bot_id=self.bot.pk, position_id=ids[pick % len(ids)], venue=venue)

    @rule(size=SIZES, filled=st.booleans())
    def crash_open(self, size: Decimal, filled: bool) -> None:
        """The venue call's outcome is unknown: it filled (timeout after) or never arrived."""
        venue = (
            RecordingPaperVenue(self.bot, raise_after_fill=TimeoutError("read timed out"))
            if filled
            else LostRequestVenue(self.bot)
        )
        with contextlib.suppress(OrderRefused, OrderNotBooked):
            order_open(bot_id=self.bot.pk, side="long", size_usd=size, venue=venue)

    @rule()
    def delete_mirror_rows(self) -> None:
        PaperPosition.objects.filter(bot=self.bot).delete()

    @rule(
        qty=st.sampled_from([Decimal("0.001"), Decimal("0.5")]),
        side=st.sampled_from(["long", "short"]),
    )
    def corrupt_mirror_rows(self, qty: Decimal, side: str) -> None:
        """A stale or tampered book row, even for a bot that never traded."""
        PaperPosition.objects.update_or_create(
            bot=self.bot,
            symbol="ETHUSDT",
            defaults={"status": "open", "qty": qty, "side": side, "entry_price": Decimal("1")},
        )

    @rule()
    def recover(self) -> None:
        # Two rounds: "not found" twice releases a never-placed order (test settings).
        recover_in_flight(bot_id=self.bot.pk)
        recover_in_flight(bot_id=self.bot.pk)
        assert not Order.objects.filter(bot=self.bot, status__in=IN_FLIGHT_ORDER_STATUSES)

    @rule()
    def reconcile(self) -> None:
        positions_before = list(Position.objects.filter(bot=self.bot).order_by("id").values())
        paper_reconcile(bot_id=self.bot.pk, confirm=True)
        assert paper_reconcile(bot_id=self.bot.pk, confirm=True).nothing_to_do
        truth = paper_books_from_fills(self.bot.pk)
        for row in PaperPosition.objects.filter(bot=self.bot):
            state = truth.get(row.symbol, BookState())
            if state.is_open:
                assert (row.status, row.side, row.qty, row.entry_price) == (
                    "open",
                    state.side,
                    state.qty,
                    state.entry_price,
                )
            else:
                assert row.status == "closed" and row.qty == 0
        for symbol, state in truth.items():
            if state.is_open:
                assert PaperPosition.objects.filter(bot=self.bot, symbol=symbol).exists()
        assert list(Position.objects.filter(bot=self.bot).order_by("id").values()) == (
            positions_before
        )

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def budget_is_exact(self) -> None:
        open_rows = Position.objects.filter(bot=self.bot, status="open")
        reserved = sum((p.size_usd for p in open_rows), Decimal(0))
        b = budget.get_budget(self.bot)
        assert b.available_usd == self.bot.initial_budget_usd - reserved
        assert reserved <= self.bot.initial_budget_usd

    @invariant()
    def only_opens_create_positions(self) -> None:
        for position in Position.objects.filter(bot=self.bot).select_related("opening_order"):
            assert position.opening_order is not None
            assert position.opening_order.intent == "open"
            assert position.opening_order.position_id == position.pk

    @invariant()
    def size_is_executed_qty_times_entry(self) -> None:
        for p in Position.objects.filter(bot=self.bot, status="open"):
            if p.qty > 0:
                assert p.size_usd == p.qty * p.entry_price
            else:  # a hold whose open is still in flight
                assert p.opening_order is not None
                assert p.opening_order.status in IN_FLIGHT_ORDER_STATUSES
                assert p.size_usd == p.requested_size_usd

    @invariant()
    def ledger_matches_the_venue_once_nothing_is_in_flight(self) -> None:
        if Order.objects.filter(bot=self.bot, status__in=IN_FLIGHT_ORDER_STATUSES).exists():
            return
        net = Decimal(0)
        for p in Position.objects.filter(bot=self.bot, status="open"):
            net += p.qty if p.side == "long" else -p.qty
        truth = paper_books_from_fills(self.bot.pk)
        assert net == sum((s.net_qty for s in truth.values()), Decimal(0))


def test_ledger_and_paper_venue_stay_consistent(bob, paper_filters, settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = 2
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 0
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        step_size=Decimal("0.0001"), min_qty=Decimal("0.0001"), min_notional=Decimal("0")
    )
    price_set(symbol="ETHUSDT", price=Decimal("2934.56"), source="fixed")
    run_state_machine_as_test(
        LedgerVenueMachine,
        settings=hsettings(
            max_examples=40,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
