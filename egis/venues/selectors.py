"""Reads of exchange accounts, symbol rules and stored prices (never the network)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from egis.accounts.models import User
from egis.core.choices import Venue
from egis.core.money import plain
from egis.venues.models import ExchangeAccount, Price, SymbolFilter


def accounts_of(owner: User) -> QuerySet[ExchangeAccount]:
    return ExchangeAccount.objects.filter(owner=owner).order_by("id")


def account_find(account_id: int, *, owner: User | None = None) -> ExchangeAccount | None:
    qs = ExchangeAccount.objects.filter(pk=account_id)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs.first()


def binance_accounts(account_id: int | None = None) -> QuerySet[ExchangeAccount]:
    qs = ExchangeAccount.objects.filter(venue=Venue.BINANCE_FUTURES).order_by("id")
    if account_id is not None:
        qs = qs.filter(pk=account_id)
    return qs


def symbol_filters(venue_key: str) -> QuerySet[SymbolFilter]:
    return SymbolFilter.objects.filter(venue_key=venue_key).order_by("symbol")


def stored_price(symbol: str) -> Decimal | None:
    """The last stored price of the configured source; a read never calls the network."""
    row = Price.objects.filter(source=settings.EGIS_PRICE_SOURCE, symbol=symbol).first()
    return row.price if row else None


def price_ticks(symbols: list[str]) -> dict[str, str | None]:
    """Each symbol's price tick (plain text), for the Bots list's price lines: one query for all.
    Venues keep their own copy of the rules (paper, each Binance environment); they agree in
    practice, and where one differs the finest tick is shown, so no digit is hidden."""
    ticks: dict[str, Decimal] = {}
    rows = SymbolFilter.objects.filter(symbol__in=set(symbols)).values_list("symbol", "tick_size")
    for symbol, tick in rows:
        if symbol not in ticks or tick < ticks[symbol]:
            ticks[symbol] = tick
    return {symbol: plain(ticks[symbol]) if symbol in ticks else None for symbol in symbols}
