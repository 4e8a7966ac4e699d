"""Binance USDⓈ-M Futures behind the VenueAdapter interface (one-way mode, MARKET orders).

What the pipeline gets from here is what Binance executed (`executedQty`, `cumQuote`), never what
was asked; fees come from the order's trades. An order POST is sent once: anything short of a
clear answer is reported as VenueOutcomeUnknown and settled later by a lookup.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.money import plain
from egis.venues.base import (
    OrderReport,
    OrderRequest,
    SymbolRules,
    VenueConfigError,
    VenueError,
    VenueOutcomeUnknown,
    VenueRejected,
    VenueUnavailable,
)
from egis.venues.binance.client import BinanceClient
from egis.venues.binance.environments import resolve_base_url, setting, venue_key_for
from egis.venues.binance.reports import dec, order_report, symbol_rules_from_exchange_info
from egis.venues.models import ExchangeAccount, SymbolFilter

logger = logging.getLogger("egis.binance")

BPS = Decimal(10000)
# GET /fapi/v1/userTrades answers at most 1000 trades a request (500 unless asked); an order's
# trades are paged with fromId, up to this many pages before the fee is left pending.
USER_TRADES_LIMIT = 1000
USER_TRADES_MAX_PAGES = 20


def account_client(account: ExchangeAccount, **kwargs: Any) -> BinanceClient:
    """A client for the account, after the environment gate (production is refused by default)."""
    if account.venue != Venue.BINANCE_FUTURES:
        raise VenueConfigError(f"Exchange account #{account.pk} is not a Binance futures account.")
    return BinanceClient(
        base_url=resolve_base_url(account),
        api_key=account.api_key,
        secret_token=account.api_secret_encrypted,
        **kwargs,
    )


def _rules_of(row: SymbolFilter) -> SymbolRules:
    return row.rules()


class BinanceVenue:
    def __init__(self, bot: Bot, *, client: BinanceClient | None = None) -> None:
        account = bot.exchange_account
        if account is None:
            raise VenueConfigError(f"Bot #{bot.pk} has no exchange account.")
        self.bot_id = bot.pk
        self.account_id = account.pk
        self.leverage_applied = bot.leverage_applied
        self.venue_key = venue_key_for(account)
        self.client = client or account_client(account)

    # --- rules and prices -----------------------------------------------------------------

    def symbol_rules(self, symbol: str) -> SymbolRules:
        row = SymbolFilter.objects.filter(venue_key=self.venue_key, symbol=symbol).first()
        max_age = timedelta(seconds=setting("EGIS_BINANCE_FILTERS_MAX_AGE_S"))
        if row is not None and row.updated_at >= timezone.now() - max_age:
            return _rules_of(row)
        try:
            info = self.client.public_get("/fapi/v1/exchangeInfo")
            rules = symbol_rules_from_exchange_info(info, symbol)
        except VenueUnavailable:
            if row is None:
                raise
            # Stale rules beat no rules: Binance still checks every order against its own.
            logger.warning("exchangeInfo unavailable; using cached %s rules", symbol)
            return _rules_of(row)
        except (ValueError, TypeError, KeyError) as exc:
            raise VenueUnavailable(f"Binance exchangeInfo for {symbol} is unreadable") from exc
        SymbolFilter.objects.update_or_create(
            venue_key=self.venue_key,
            symbol=symbol,
            defaults={
                "step_size": rules.step_size,
                "min_qty": rules.min_qty,
                "max_qty": rules.max_qty,
                "min_notional": rules.min_notional,
                "tick_size": rules.tick_size,
            },
        )
        return rules

    def reference_price(self, symbol: str) -> Decimal:
        body = self.client.public_get("/fapi/v1/premiumIndex", [("symbol", symbol)])
        try:
            price = dec(body["markPrice"], field="markPrice")
        except (KeyError, TypeError, ValueError) as exc:
            raise VenueUnavailable(f"Binance sent no mark price for {symbol}") from exc
        if price <= 0:
            raise VenueUnavailable(f"Binance sent a non-positive mark price for {symbol}")
        return price

    def price_buffer(self) -> Decimal:
        return Decimal(setting("EGIS_BINANCE_PRICE_BUFFER_BPS")) / BPS

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        return reference  # the market decides; the mark price is the best estimate

    # --- account set-up -------------------------------------------------------------------

    def prepare(self, *, symbol: str, leverage: int) -> None:
        mode = self.client.signed_get("/fapi/v1/positionSide/dual")
        if not isinstance(mode, dict) or str(mode.get("dualSidePosition")).lower() == "true":
            raise VenueConfigError(
                f"Exchange account #{self.account_id} is set to Hedge Mode in Binance (a long "
                "and a short on one symbol kept apart); Egis needs One-way Mode. In Binance "
                "Futures, open Preferences > Position Mode and choose One-way (Binance allows "
                "the change only with no open positions or orders), then try again."
            )
        if self.leverage_applied:
            return
        try:
            self.client.signed_post(
                "/fapi/v1/leverage",
                [("symbol", symbol), ("leverage", str(leverage))],
                idempotent=True,
            )
        except VenueOutcomeUnknown as exc:
            # Setting leverage is idempotent: not knowing is "not done yet", nothing worse.
            raise VenueUnavailable(
                f"could not confirm the leverage setting: {exc.message}"
            ) from exc
        except VenueRejected as exc:
            raise VenueConfigError(
                f"Binance refused leverage {leverage}x on {symbol}: {exc.message}", code=exc.code
            ) from exc
        # Compare-and-set: the flag only ever goes from False to True, once per bot.
        Bot.objects.filter(pk=self.bot_id, leverage=leverage, leverage_applied=False).update(
            leverage_applied=True
        )
        self.leverage_applied = True

    # --- orders ---------------------------------------------------------------------------

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        if not isinstance(request.qty, Decimal) or request.qty <= 0:
            raise VenueRejected(f"invalid quantity {request.qty!r}: nothing was sent")
        params = [
            ("symbol", request.symbol),
            ("side", "BUY" if request.side == "buy" else "SELL"),
            ("type", "MARKET"),
            ("quantity", plain(request.qty)),  # exact decimal string, never a float
            ("newClientOrderId", request.client_order_id),
            ("newOrderRespType", "RESULT"),  # the default ACK reports executedQty 0
        ]
        if request.reduce_only:
            params.append(("reduceOnly", "true"))
        answer = self.client.signed_post("/fapi/v1/order", params, idempotent=False)
        # From here on the order exists at Binance: nothing may raise except "unknown".
        if not isinstance(answer, dict) or answer.get("clientOrderId") != request.client_order_id:
            raise VenueOutcomeUnknown(
                f"Binance accepted {request.client_order_id} with an unexpected answer"
            )
        return self._report(answer, request.symbol)

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        answer = self.client.signed_get(
            "/fapi/v1/order", [("symbol", symbol), ("origClientOrderId", client_order_id)]
        )
        if not isinstance(answer, dict) or answer.get("clientOrderId") != client_order_id:
            raise VenueUnavailable(f"Binance answered the lookup of {client_order_id} oddly")
        return self._report(answer, symbol)

    def lookup_order_by_venue_id(self, *, symbol: str, venue_order_id: str) -> OrderReport:
        """An order Binance placed for us (a fired exit's `actualOrderId`), by its order id."""
        answer = self.client.signed_get(
            "/fapi/v1/order", [("symbol", symbol), ("orderId", venue_order_id)]
        )
        if not isinstance(answer, dict) or str(answer.get("orderId")) != venue_order_id:
            raise VenueUnavailable(f"Binance answered the lookup of order {venue_order_id} oddly")
        return self._report(answer, symbol)

    def _report(self, answer: dict[str, Any], symbol: str) -> OrderReport:
        trades = None
        try:
            executed = dec(answer.get("executedQty", "0"), field="executedQty")
            if executed > 0:
                trades = self._trades(symbol, str(answer.get("orderId", "")), executed)
            else:
                trades = []
            return order_report(answer, trades)
        except (ValueError, TypeError, KeyError) as exc:
            raise VenueOutcomeUnknown(
                f"Binance's answer for {answer.get('clientOrderId')} is unreadable ({exc})"
            ) from exc

    def _trades(
        self, symbol: str, venue_order_id: str, executed: Decimal
    ) -> list[dict[str, Any]] | None:
        """The order's fills (for fees), paged until they cover the executed quantity.

        Without fromId Binance lists the order's most recent trades (at most `limit`): enough
        for almost every order. A full page that does not cover the order means it has more
        fills: walk them from the oldest, fromId by fromId. A short page means everything
        listed so far was returned: the rest lags, and the report says the fee is pending.
        A failure here never hides an executed order.
        """
        found: dict[int, dict[str, Any]] = {}
        from_id: int | None = None
        for _ in range(USER_TRADES_MAX_PAGES):
            params = [("symbol", symbol), ("orderId", venue_order_id)]
            if from_id is not None:
                params.append(("fromId", str(from_id)))
            params.append(("limit", str(USER_TRADES_LIMIT)))
            try:
                page = self.client.signed_get("/fapi/v1/userTrades", params)
            except VenueError as exc:
                logger.warning(
                    "userTrades for order %s unavailable: %s", venue_order_id, exc.message
                )
                return list(found.values()) if found else None
            if not isinstance(page, list):
                return list(found.values()) if found else None
            try:
                ids, mine = _readable_trades(page, venue_order_id)
            except (ValueError, TypeError, KeyError) as exc:
                logger.warning("userTrades for order %s unreadable: %s", venue_order_id, exc)
                return list(found.values()) if found else None
            found.update(mine)
            listed = sum((dec(t["qty"], field="qty") for t in found.values()), Decimal(0))
            if listed >= executed or len(page) < USER_TRADES_LIMIT or not ids:
                break
            from_id = 1 if from_id is None else max(ids) + 1
        return [found[k] for k in sorted(found)]


def _readable_trades(
    page: list[Any], venue_order_id: str
) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """The page's trade ids, and its trades of this order by id (each one's numbers readable)."""
    ids: list[int] = []
    mine: dict[int, dict[str, Any]] = {}
    for trade in page:
        trade_id = int(trade["id"])
        ids.append(trade_id)
        if str(trade.get("orderId")) == venue_order_id:
            dec(trade["qty"], field="qty")
            dec(trade["price"], field="price")
            dec(trade.get("commission", "0"), field="commission")
            mine[trade_id] = trade
    return ids, mine
