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
    # Paused by a person (egis.portfolio.pause): no new opens from any source (page, API, CLI,
    # signal) until resumed; closes and exits still work. Who and when, for "Paused by … at …".
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.CharField(max_length=160, blank=True, default="")
    # Risk limits (egis.ledger.risk), each optional: NULL means off. Checked in the preflight of
    # every open, whatever sent it (page, API, CLI, signal); closes are never limited.
    max_open_positions = models.PositiveIntegerField(null=True, blank=True)
    max_order_usd = FixedDecimalField(null=True, blank=True)
    cooldown_s = models.PositiveIntegerField(null=True, blank=True)
    daily_loss_limit_usd = FixedDecimalField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=(
                    (
                        models.Q(max_open_positions__isnull=True)
                        | models.Q(max_open_positions__gte=1)
                    )
                    & (models.Q(max_order_usd__isnull=True) | models.Q(max_order_usd__gt=0))
                    & (models.Q(cooldown_s__isnull=True) | models.Q(cooldown_s__gte=1))
                    & (
                        models.Q(daily_loss_limit_usd__isnull=True)
                        | models.Q(daily_loss_limit_usd__gt=0)
                    )
                ),
                name="bots_risk_limits_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.venue} {self.symbol})"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_halted(self) -> bool:
        return bool(self.halted_reason)
