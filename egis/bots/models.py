from __future__ import annotations

from django.conf import settings
from django.db import models

from egis.core.choices import Venue
from egis.core.fields import FixedDecimalField


class Bot(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bots"
    )
    name = models.CharField(max_length=80)
    venue = models.CharField(max_length=32, choices=Venue.choices)
    exchange_account = models.ForeignKey(
        "venues.ExchangeAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bots",
    )
    symbol = models.CharField(max_length=32)
    leverage = models.PositiveSmallIntegerField(default=1)
    initial_budget_usd = FixedDecimalField()
    is_active = models.BooleanField(default=True)
    # Halted bots refuse new opens (closes stay allowed) until an incident is resolved.
    halted_reason = models.CharField(max_length=300, blank=True, default="")
    leverage_applied = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "bots"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(initial_budget_usd__gte=0), name="bots_budget_nonnegative"
            ),
            models.CheckConstraint(
                condition=models.Q(venue__in=Venue.values), name="bots_venue_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(leverage__gte=1, leverage__lte=125), name="bots_leverage_range"
            ),
            models.CheckConstraint(
                condition=models.Q(venue=Venue.PAPER) | models.Q(exchange_account__isnull=False),
                name="bots_real_venue_needs_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue} {self.symbol})"

    @property
    def is_halted(self) -> bool:
        return bool(self.halted_reason)
