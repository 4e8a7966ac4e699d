"""The paper venue's own data: its executions (`paper_fills`) and its book (`paper_positions`).

This is the paper exchange's "exchange data". Each paper bot is its own paper account. The
ledger never reads these tables; reconciliation rebuilds `paper_positions` from `paper_fills`.
"""

from __future__ import annotations

from django.db import models

from egis.core.fields import FixedDecimalField


class FillSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class FillStatus(models.TextChoices):
    FILLED = "FILLED", "Filled"
    PARTIALLY_FILLED = "PARTIALLY_FILLED", "Partially filled"
    EXPIRED = "EXPIRED", "Expired (nothing filled)"


class PaperFill(models.Model):
    # No index of its own: the composite index below starts with bot_id (one less to write).
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.CASCADE, related_name="paper_fills", db_index=False
    )
    client_order_id = models.CharField(max_length=36, unique=True)
    symbol = models.CharField(max_length=32)
    side = models.CharField(max_length=4, choices=FillSide.choices)
    reduce_only = models.BooleanField(default=False)
    requested_qty = FixedDecimalField()
    qty = FixedDecimalField()
    price = FixedDecimalField()
    quote_usd = FixedDecimalField()
    fee_usd = FixedDecimalField(default=0)
    status = models.CharField(max_length=20, choices=FillStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "paper_fills"
        indexes = [models.Index(fields=["bot", "symbol", "id"], name="paper_fills_book")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(qty__gte=0, price__gt=0, quote_usd__gte=0, fee_usd__gte=0),
                name="paper_fills_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=FillSide.values), name="paper_fills_side_valid"
            ),
        ]

    @property
    def venue_order_id(self) -> str:
        return f"paper-{self.pk}"


class PaperPositionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PaperPosition(models.Model):
    # No index of its own: the unique (bot, symbol) constraint starts with bot_id.
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.CASCADE, related_name="paper_positions", db_index=False
    )
    symbol = models.CharField(max_length=32)
    side = models.CharField(max_length=5)  # long | short: the net side of the book
    qty = FixedDecimalField()
    entry_price = FixedDecimalField()
    status = models.CharField(max_length=8, choices=PaperPositionStatus.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "paper_positions"
        constraints = [
            models.UniqueConstraint(fields=["bot", "symbol"], name="paper_positions_unique"),
            models.CheckConstraint(
                condition=models.Q(qty__gte=0, entry_price__gte=0),
                name="paper_positions_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PaperPositionStatus.values),
                name="paper_positions_status_valid",
            ),
        ]
