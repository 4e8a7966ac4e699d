"""The paper exchange: fills MARKET orders at the price source's price, with Binance-like rules.

Each paper bot is its own paper account: its executions go to `paper_fills`, its book to
`paper_positions`. It never touches the ledger (`positions`, `orders`).

A fill locks the bot row, then the book row (the lock order of egis.bots.locks; on SQLite its
`BEGIN IMMEDIATE` already holds the write lock, so only the book row is read). The book row is
created empty (`INSERT ... ON CONFLICT DO NOTHING`) before it is locked on a bot's first fill, so
the lock always falls on a row and two first fills can never collide on `paper_positions_unique`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from egis.bots.locks import lock_bot_where_rows_lock
from egis.bots.models import Bot
from egis.core.inputs import QUANTUM
from egis.core.money import plain
from egis.core.row_writes import RowWrites
from egis.core.rows import RowQuery
from egis.venues.base import (
    OrderNotFound,
    OrderReport,
    OrderRequest,
    SymbolRules,
    VenueConfigError,
    VenueOrderStatus,
    VenueRejected,
)
from egis.venues.models import SymbolFilter
from egis.venues.paper.book import BookState, apply_fill
from egis.venues.paper.models import FillStatus, PaperFill, PaperPosition, PaperPositionStatus
from egis.venues.prices.sources import PriceSource, get_price_source
from egis.venues.rules import floor_to_step, round_to_tick

BPS = Decimal(10000)


# Compiled once (egis.core.rows): these run for every paper order.
_PAPER_RULES = RowQuery(SymbolFilter, "venue_key = %s AND symbol = %s")
_BOOK_LOCKED = RowQuery(PaperPosition, "bot_id = %s AND symbol = %s", lock=True)


def paper_symbol_rules(symbol: str) -> SymbolRules:
    row = _PAPER_RULES.one("paper", symbol)
    if row is None:
        raise VenueConfigError(
            f"The paper venue has no trading rules for {symbol}: add them with `egis filters set`."
        )
    return row.rules()


class PaperVenue:
    venue_key = "paper"

    def __init__(
        self,
        bot: Bot,
        *,
        price_source: PriceSource | None = None,
        slippage_bps: Decimal | None = None,
        taker_fee_rate: Decimal | None = None,
        fill_ratio: Decimal | None = None,
    ) -> None:
        self.bot_id = bot.pk
        self.prices = price_source or get_price_source()
        self.slippage_bps = (
            settings.EGIS_PAPER_SLIPPAGE_BPS if slippage_bps is None else slippage_bps
        )
        self.taker_fee_rate = (
            settings.EGIS_PAPER_TAKER_FEE_RATE if taker_fee_rate is None else taker_fee_rate
        )
        self.fill_ratio = settings.EGIS_PAPER_FILL_RATIO if fill_ratio is None else fill_ratio
        # The pipeline makes one adapter per order and asks for the rules up to three times
        # (prepare, sizing, fill): read them once, so the order is sized and filled by one rule set.
        self._rules: dict[str, SymbolRules] = {}

    def symbol_rules(self, symbol: str) -> SymbolRules:
        rules = self._rules.get(symbol)
        if rules is None:
            rules = self._rules[symbol] = paper_symbol_rules(symbol)
        return rules

    def reference_price(self, symbol: str) -> Decimal:
        return self.prices.price(symbol)

    def price_buffer(self) -> Decimal:
        return self.slippage_bps / BPS

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        """The fill rule of this venue: the reference moved by the slippage against the taker,
        on the tick, rounded against the taker. The fill and the open form's quote both use it."""
        slip = self.slippage_bps / BPS
        moved = reference * (1 + slip) if buying else reference * (1 - slip)
        return round_to_tick(moved, self.symbol_rules(symbol).tick_size, up=buying)

    def prepare(self, *, symbol: str, leverage: int) -> None:
        self.symbol_rules(symbol)

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        rules = self.symbol_rules(request.symbol)
        if request.qty != floor_to_step(request.qty, rules.step_size):
            raise VenueRejected(
                f"Quantity {plain(request.qty)} is not a multiple of the step "
                f"{plain(rules.step_size)}.",
                code=-4023,
            )
        if request.qty < rules.min_qty:
            raise VenueRejected("Quantity less than minimum quantity.", code=-4004)
        buying = request.side == "buy"
        fill_price = self.market_fill_price(
            request.symbol, buying=buying, reference=self.reference_price(request.symbol)
        )
        filled = floor_to_step(request.qty * self.fill_ratio, rules.step_size)
        try:
            fill = self._fill(request, filled, fill_price, buying)
        except IntegrityError as exc:
            # The fill transaction rolled back. Only a proven duplicate is a refusal; any other
            # failure propagates and the pipeline treats the outcome as unknown.
            if PaperFill.objects.filter(client_order_id=request.client_order_id).exists():
                raise VenueRejected("Duplicate client order id.", code=-4116) from exc
            raise
        return fill_report(fill)

    def _fill(
        self, request: OrderRequest, filled: Decimal, fill_price: Decimal, buying: bool
    ) -> PaperFill:
        with transaction.atomic():
            lock_bot_where_rows_lock(self.bot_id)  # lock 1 (PostgreSQL; SQLite: BEGIN IMMEDIATE)
            book_row = _locked_book(self.bot_id, request.symbol)
            book = _book_state(book_row)
            if request.reduce_only:
                reduces = (book.net_qty > 0 and not buying) or (book.net_qty < 0 and buying)
                if not reduces or request.qty > book.qty:
                    raise VenueRejected("ReduceOnly Order is rejected.", code=-2022)
            notional = filled * fill_price
            fee = (notional * self.taker_fee_rate).quantize(QUANTUM, rounding=ROUND_HALF_UP)
            status = (
                FillStatus.FILLED
                if filled == request.qty
                else (FillStatus.PARTIALLY_FILLED if filled > 0 else FillStatus.EXPIRED)
            )
            # The fill and the book: one statement on PostgreSQL (egis.core.row_writes).
            writes = RowWrites()
            fill = PaperFill(
                bot_id=self.bot_id,
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                reduce_only=request.reduce_only,
                requested_qty=request.qty,
                qty=filled,
                price=fill_price,
                quote_usd=notional,
                fee_usd=fee,
                status=status,
            )
            writes.insert(fill)
            _write_book(
                writes, book_row, apply_fill(book, side=request.side, qty=filled, price=fill_price)
            )
            writes.run()
        return fill

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        fill = PaperFill.objects.filter(bot_id=self.bot_id, client_order_id=client_order_id).first()
        if fill is None:
            raise OrderNotFound("Order does not exist.", code=-2013)
        return fill_report(fill)


def _locked_book(bot_id: int, symbol: str) -> PaperPosition:
    """The book row of bot + symbol, locked; created flat first if the bot never traded it."""
    row = _BOOK_LOCKED.one(bot_id, symbol)
    if row is None:
        # A flat book: what reconciliation also leaves for a symbol that was traded to zero.
        empty = PaperPosition(
            bot_id=bot_id,
            symbol=symbol,
            side="long",
            qty=0,
            entry_price=0,
            status=PaperPositionStatus.CLOSED,
        )
        PaperPosition.objects.bulk_create([empty], ignore_conflicts=True)
        row = _BOOK_LOCKED.one(bot_id, symbol)
        if row is None:  # inserted or already there: only a bug can make it vanish
            raise RuntimeError(f"paper book row of bot #{bot_id} {symbol} missing after insert")
    return row


def _book_state(row: PaperPosition) -> BookState:
    if row.status != PaperPositionStatus.OPEN:
        return BookState()
    signed = row.qty if row.side == "long" else -row.qty
    return BookState(signed, row.entry_price)


def _write_book(writes: RowWrites, row: PaperPosition, state: BookState) -> None:
    row.side = state.side
    row.qty = state.qty
    if state.is_open:
        row.entry_price = state.entry_price  # a flat book keeps its last entry, as reconcile does
    row.status = PaperPositionStatus.OPEN if state.is_open else PaperPositionStatus.CLOSED
    writes.update(row, ["side", "qty", "entry_price", "status", "updated_at"])


def fill_report(fill: PaperFill) -> OrderReport:
    # A MARKET order that could not fill completely expires with what it got, as on Binance.
    status = (
        VenueOrderStatus.FILLED if fill.status == FillStatus.FILLED else VenueOrderStatus.EXPIRED
    )
    return OrderReport(
        client_order_id=fill.client_order_id,
        venue_order_id=fill.venue_order_id,
        status=status,
        executed_qty=fill.qty,
        cum_quote_usd=fill.quote_usd,
        avg_price=fill.price if fill.qty > 0 else None,
        fee_usd=fill.fee_usd,
        raw={
            "venue": "paper",
            "status": fill.status,
            "executedQty": plain(fill.qty),
            "price": plain(fill.price),
            "cumQuote": plain(fill.quote_usd),
            "fee": plain(fill.fee_usd),
        },
    )
