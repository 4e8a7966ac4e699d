"""Exits: take-profit, stop-loss and trailing stop, each a row that belongs to one position.

The contract (read by the paper engine, the pages and the Binance side, egis.exits.binance_sync):

- An `Exit` is written before any venue call, like an order: a fresh `client_algo_id` (ours,
  unique, <= 36 chars of Binance's client id alphabet) exists before the venue hears of it.
- Status: `placing` -> `resting` -> `triggered` | `cancelled` | `expired` | `failed`.
  Paper exits are born `resting` (nothing to place). Binance exits are born `placing`; the Binance
  side places them on the venue and moves them to `resting` (or `failed`), or, after a crash,
  finds them by `client_algo_id` (recovery) so nothing is placed twice.
- `direction` is stored, derived from kind and the position's side: `rises` fires when the price
  is at or above `trigger_price` (a long's take-profit, a short's stop-loss and trailing stop),
  `falls` when at or below (a long's stop-loss and trailing stop, a short's take-profit).
- `trigger_price`: the price that fires it. For a trailing stop, its current trigger (moved as
  the price moves, each move audited in position_events); NULL while a trailing stop with an
  `activation_price` waits for that price. `extreme_price`: for a trailing stop, the best price
  seen since it became active (before activation it holds the activation price).
- `quantity`: the position's executed quantity (never the account's net); a partial close
  resizes the exits still resting. A close is always of exactly this position.
- At most one live (`placing`/`resting`) exit per position and kind (a database constraint).
- The paper engine's search is a range scan of the partial index `exits_paper_resting_trigger`
  on (symbol, direction, trigger_price) of resting paper exits: `rises` with trigger <= P and
  `falls` with trigger >= P. Trailing stops to move are a range scan of
  `exits_paper_trailing_extreme` on (symbol, direction, extreme_price).
- `closing_order`: the close order a triggered exit caused (paper: the pipeline's close; Binance:
  the order the venue placed when the algo order fired, booked by the Binance side).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from egis.core.fields import FixedDecimalField


class ExitKind(models.TextChoices):
    TAKE_PROFIT = "take_profit", "Take-profit"
    STOP_LOSS = "stop_loss", "Stop-loss"
    TRAILING_STOP = "trailing_stop", "Trailing stop"


class ExitDirection(models.TextChoices):
    RISES = "rises", "Fires at or above the trigger"
    FALLS = "falls", "Fires at or below the trigger"


class ExitStatus(models.TextChoices):
    PLACING = "placing", "Placing"
    RESTING = "resting", "Resting"
    TRIGGERED = "triggered", "Triggered"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Failed"


LIVE_EXIT_STATUSES = (ExitStatus.PLACING, ExitStatus.RESTING)
# An exit that ended without firing and without being cancelled by Egis: the position is not
# protected as its owner asked (shown loudly: "no active stop").
BROKEN_EXIT_STATUSES = (ExitStatus.EXPIRED, ExitStatus.FAILED)


class Exit(models.Model):
    position = models.ForeignKey("ledger.Position", on_delete=models.PROTECT, related_name="exits")
    # Denormalised from the position (which never changes bot, symbol or venue) for queries.
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, related_name="exits", db_index=False
    )
    venue = models.CharField(max_length=32)
    symbol = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=ExitKind.choices)
    direction = models.CharField(max_length=5, choices=ExitDirection.choices)
    trigger_price = FixedDecimalField(null=True, blank=True)
    # Trailing stop only: the callback in percent (0.1 .. 10, as Binance's callbackRate).
    callback_pct = FixedDecimalField(null=True, blank=True)
    activation_price = FixedDecimalField(null=True, blank=True)
    extreme_price = FixedDecimalField(null=True, blank=True)
    # What was asked, for the pages and the audit: {"price": "..."} or {"pct": "..."}.
    spec = models.JSONField(default=dict, blank=True)
    quantity = FixedDecimalField()
    client_algo_id = models.CharField(max_length=36, unique=True)
    venue_algo_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=9, choices=ExitStatus.choices)
    error = models.TextField(blank=True, default="")
    # The price seen when it fired (paper: the mark the engine saw; Binance: as reported).
    fired_price = FixedDecimalField(null=True, blank=True)
    closing_order = models.ForeignKey(
        "ledger.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "exits"
        indexes = [
            # The paper engine's search: crossed resting exits of one symbol are a range here,
            # however many rest (egis.exits.paper_engine, bench/exits.py).
            models.Index(
                fields=["symbol", "direction", "trigger_price"],
                name="exits_paper_resting_trigger",
                condition=models.Q(status="resting", venue="paper"),
            ),
            # Trailing stops whose best price was passed (their trigger moves): a range too.
            models.Index(
                fields=["symbol", "direction", "extreme_price"],
                name="exits_paper_trailing_extreme",
                condition=models.Q(status="resting", venue="paper", kind="trailing_stop"),
            ),
            # Live exits of a venue (the Binance side's poller, drift and recovery).
            models.Index(
                fields=["venue", "status", "id"],
                name="exits_live_by_venue",
                condition=models.Q(status__in=["placing", "resting"]),
            ),
            models.Index(fields=["bot", "-id"], name="exits_by_bot"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ExitKind.values), name="exits_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ExitStatus.values), name="exits_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=ExitDirection.values),
                name="exits_direction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="exits_quantity_nonnegative"
            ),
            # A take-profit and a stop-loss always have a trigger; a trailing stop a callback.
            models.CheckConstraint(
                condition=models.Q(kind="trailing_stop", callback_pct__gt=0)
                | (~models.Q(kind="trailing_stop") & models.Q(trigger_price__gt=0)),
                name="exits_trigger_or_callback",
            ),
            models.UniqueConstraint(
                fields=["position", "kind"],
                condition=models.Q(status__in=["placing", "resting"]),
                name="exits_one_live_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"exit {self.client_algo_id} ({self.kind} {self.status})"
