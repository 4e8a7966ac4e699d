"""Venue-side tables: accounts, symbol filters, prices and the real-venue position mirror.

None of these is read by the budget: they describe the outside world, and can be emptied and
rebuilt without changing what Egis owes or holds (see egis.ledger).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from egis.core.choices import Venue
from egis.core.fields import FixedDecimalField
from egis.venues.base import SymbolRules


class Environment(models.TextChoices):
    DEMO = "demo", "Binance demo"
    TESTNET = "testnet", "Binance testnet (legacy)"
    PRODUCTION = "production", "Binance production"


class ExchangeAccount(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchange_accounts"
    )
    label = models.CharField(max_length=80, blank=True, default="")
    venue = models.CharField(max_length=32, choices=Venue.choices)
    environment = models.CharField(max_length=16, choices=Environment.choices)
    # Blank means the environment's documented URL; set to point at a local simulator.
    base_url = models.CharField(max_length=200, blank=True, default="")
    api_key = models.CharField(max_length=128)
    # Fernet token; the clear secret exists only in memory while signing (egis.venues.secrets).
    api_secret_encrypted = models.TextField()
    is_production = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "exchange_accounts"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(venue__in=Venue.values), name="exchange_accounts_venue_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(environment__in=Environment.values),
                name="exchange_accounts_environment_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue}:{self.environment}#{self.pk}"


class SymbolFilter(models.Model):
    """Binance-like trading rules of one symbol on one venue (paper, or a Binance environment)."""

    venue_key = models.CharField(max_length=64)  # "paper" or "binance_futures:<environment>"
    symbol = models.CharField(max_length=32)
    step_size = FixedDecimalField()
    min_qty = FixedDecimalField()
    max_qty = FixedDecimalField(null=True, blank=True)
    min_notional = FixedDecimalField()
    tick_size = FixedDecimalField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "symbol_filters"
        constraints = [
            models.UniqueConstraint(fields=["venue_key", "symbol"], name="symbol_filters_unique"),
            models.CheckConstraint(
                condition=models.Q(step_size__gt=0, tick_size__gt=0, min_qty__gte=0),
                name="symbol_filters_positive",
            ),
        ]

    def rules(self) -> SymbolRules:
        """These rules as the venues and the pipeline use them."""
        return SymbolRules(
            symbol=self.symbol,
            step_size=self.step_size,
            min_qty=self.min_qty,
            min_notional=self.min_notional,
            tick_size=self.tick_size,
            max_qty=self.max_qty,
        )


class Price(models.Model):
    """Latest price per source and symbol (the simulated walk's state, or a fixed price)."""

    source = models.CharField(max_length=16)
    symbol = models.CharField(max_length=32)
    price = FixedDecimalField()
    step = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "prices"
        constraints = [
            models.UniqueConstraint(fields=["source", "symbol"], name="prices_unique"),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="prices_positive"),
        ]


class PricePoint(models.Model):
    """One stored price in a bounded history per source and symbol (the bot page's price chart).

    Appended with every stored price in the same transaction, and pruned there to the last
    EGIS_PRICE_HISTORY_POINTS points of the symbol (egis.venues.prices.store): the table never
    grows with time. Newest first by id, which the index serves for both the read and the prune.
    """

    source = models.CharField(max_length=16)
    symbol = models.CharField(max_length=32)
    price = FixedDecimalField()
    at = models.DateTimeField()

    class Meta:
        db_table = "price_points"
        indexes = [models.Index(fields=["source", "symbol", "id"], name="price_points_symbol_id")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="price_points_positive"),
        ]


class ExchangePosition(models.Model):
    """Last position a real venue reported per account + symbol (a mirror, never authoritative)."""

    account = models.ForeignKey(
        ExchangeAccount, on_delete=models.CASCADE, related_name="exchange_positions"
    )
    symbol = models.CharField(max_length=32)
    position_amt = FixedDecimalField()  # signed: > 0 long, < 0 short (one-way mode)
    entry_price = FixedDecimalField(default=0)
    mark_price = FixedDecimalField(default=0)
    unrealized_pnl = FixedDecimalField(default=0)
    leverage = models.IntegerField(default=1)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        db_table = "exchange_positions"
        constraints = [
            models.UniqueConstraint(fields=["account", "symbol"], name="exchange_positions_unique"),
        ]
