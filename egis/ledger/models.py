"""The ledger: positions (the single source of truth), the write-ahead order log, the audit trail
and the incidents that need a decision.

Database constraints hold what must never happen; egis.ledger.pipeline holds the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from egis.core.fields import FixedDecimalField


class PositionSide(models.TextChoices):
    LONG = "long", "Long"
    SHORT = "short", "Short"


class CloseReason(models.TextChoices):
    """Why a position closed (egis.exits adds the exit kinds): shown on closed rows."""

    MANUAL = "manual", "Closed by hand"
    SIGNAL = "signal", "Signal"
    TAKE_PROFIT = "take_profit", "Take-profit"
    STOP_LOSS = "stop_loss", "Stop-loss"
    TRAILING_STOP = "trailing_stop", "Trailing stop"
    RECONCILE = "reconcile", "Reconciliation"


class PositionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Position(models.Model):
    # No index of its own: the composite index below starts with bot_id (one less to write).
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, related_name="positions", db_index=False
    )
    symbol = models.CharField(max_length=32)
    side = models.CharField(max_length=5, choices=PositionSide.choices)
    status = models.CharField(max_length=9, choices=PositionStatus.choices)
    # Audit only: what was asked for. Never read by the budget.
    requested_size_usd = FixedDecimalField()
    # Authoritative: the hold while the open is in flight, then executed qty x average price.
    size_usd = FixedDecimalField()
    qty = FixedDecimalField(default=0)
    entry_price = FixedDecimalField(null=True, blank=True)
    exit_price = FixedDecimalField(null=True, blank=True)
    fees_usd = FixedDecimalField(default=0)
    realized_pnl_usd = FixedDecimalField(default=0)  # price PnL of the closed quantity, gross
    opening_order = models.OneToOneField(
        "ledger.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set while a close is in flight: a second close is refused.
    closing_order = models.ForeignKey(
        "ledger.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it closed (CloseReason), copied from the close order that closed it; "" while open.
    close_reason = models.CharField(max_length=16, blank=True, default="")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "positions"
        indexes = [
            # The budget reads only open rows of one bot: closed history never slows it down.
            models.Index(
                fields=["bot", "size_usd"],
                name="positions_open_by_bot",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["bot", "status", "-id"], name="positions_by_bot_status"),
            # Today's closes of one bot (the daily loss limit, egis.ledger.risk): a range on
            # closed_at, however long the bot's history.
            models.Index(fields=["bot", "closed_at"], name="positions_closed_by_bot"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PositionStatus.values), name="positions_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=PositionSide.values), name="positions_side_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(size_usd__gte=0, requested_size_usd__gte=0, qty__gte=0),
                name="positions_sizes_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(fees_usd__gte=0), name="positions_fees_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"position #{self.pk} {self.side} {self.symbol} ({self.status})"


class OrderIntent(models.TextChoices):
    OPEN = "open", "Open"
    CLOSE = "close", "Close"


class OrderSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class OrderStatus(models.TextChoices):
    SUBMITTING = "submitting", "Submitting"
    FILLED = "filled", "Filled"
    PARTIALLY_FILLED = "partially_filled", "Partially filled"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"


IN_FLIGHT_ORDER_STATUSES = (OrderStatus.SUBMITTING, OrderStatus.UNKNOWN)


class Order(models.Model):
    """Write-ahead log: written and committed before any venue is called."""

    client_order_id = models.CharField(max_length=36, unique=True)
    # No index of its own: the composite index below starts with bot_id (one less to write).
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="orders")
    intent = models.CharField(max_length=5, choices=OrderIntent.choices)
    side = models.CharField(max_length=4, choices=OrderSide.choices)
    symbol = models.CharField(max_length=32)
    reduce_only = models.BooleanField(default=False)
    requested_qty = FixedDecimalField()
    # A close's reason (CloseReason): the position takes it when this order closes it.
    close_reason = models.CharField(max_length=16, blank=True, default="")
    requested_usd = FixedDecimalField(null=True, blank=True)
    reference_price = FixedDecimalField(null=True, blank=True)
    executed_qty = FixedDecimalField(default=0)
    avg_price = FixedDecimalField(null=True, blank=True)
    cum_quote_usd = FixedDecimalField(default=0)
    fee_usd = FixedDecimalField(default=0)
    # The fill is booked but the venue had not listed all its trades: fee_usd is incomplete until
    # recovery completes it (egis.execution.recovery.complete_pending_fees).
    fee_pending = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    venue_order_id = models.CharField(max_length=64, blank=True, default="")
    venue_response = models.JSONField(default=dict, blank=True)  # scrubbed of secrets
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # The sender's key for one submission (the open form's render): a replayed submit finds the
    # first order instead of sending a second one. Unique per bot; NULL for orders without one.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    # The exits asked with an open (kind -> spec, egis.exits.rules.changes_as_json), written
    # ahead with the order; NULL once they are set (egis.exits.asked). A process that dies after
    # the fill and before its exits leaves them here for recovery to set.
    exits_asked = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "orders"
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                name="orders_in_flight",
                condition=models.Q(status__in=["submitting", "unknown"]),
            ),
            models.Index(fields=["bot", "-id"], name="orders_by_bot"),
            # The daily loss limit reads today's booked fills of a bot (egis.ledger.realized_day)
            # on every open's preflight: never its whole order history.
            models.Index(fields=["bot", "settled_at"], name="orders_settled_by_bot"),
            models.Index(
                fields=["id"], name="orders_fee_pending", condition=models.Q(fee_pending=True)
            ),
            models.Index(
                fields=["id"],
                name="orders_exits_asked",
                condition=models.Q(exits_asked__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intent__in=OrderIntent.values), name="orders_intent_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values), name="orders_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=OrderSide.values), name="orders_side_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(requested_qty__gt=0, executed_qty__gte=0, cum_quote_usd__gte=0),
                name="orders_quantities_valid",
            ),
            # A close is always reduce-only: it can shrink exposure, never create it.
            models.CheckConstraint(
                condition=~models.Q(intent="close", reduce_only=False),
                name="orders_close_is_reduce_only",
            ),
            models.UniqueConstraint(
                fields=["bot", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="orders_idempotency_key_per_bot",
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.client_order_id} ({self.intent} {self.status})"


class PositionEvent(models.Model):
    """Append-only audit trail of everything that happened to a position."""

    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    # No index of its own: the composite index below starts with bot_id (one less to write).
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, related_name="position_events", db_index=False
    )
    action = models.CharField(max_length=32)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=80, default="system")
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "position_events"
        indexes = [models.Index(fields=["bot", "-id"], name="position_events_by_bot")]


class IncidentKind(models.TextChoices):
    DB_FAILED_AFTER_VENUE = "db_failed_after_venue", "DB write failed after the venue answered"
    UNKNOWN_ORDER = "unknown_order", "Order outcome unknown"
    VENUE_REFUSED_CLOSE = "venue_refused_close", "Venue refused a close"
    DRIFT = "drift", "Ledger and venue disagree"
    SIGNAL_DRIFT = "signal_drift", "A signal's sender believed another state (missed alert?)"
    # Binance exits (issue 12, egis.exits.binance_*).
    EXIT_NOT_ACTIVE = "exit_not_active", "An exit is not active at the venue"
    EXIT_CANCEL_UNKNOWN = "exit_cancel_unknown", "An exit's cancel outcome is unknown"
    EXIT_UNBOOKED = "exit_unbooked", "An exit fired at the venue but was not booked"


# Incidents about one exit (the exit's row says what happened; a person acknowledges).
EXIT_INCIDENT_KINDS = (
    IncidentKind.EXIT_NOT_ACTIVE,
    IncidentKind.EXIT_CANCEL_UNKNOWN,
    IncidentKind.EXIT_UNBOOKED,
)


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Incident(models.Model):
    """Something that needs a person's decision, written so it is never lost: an order placed
    but not booked, an order whose fate is unknown, a close the venue refused, drift. One word
    everywhere (model, table, API, CLI, pages); the design's `pending_reconciliations`."""

    kind = models.CharField(max_length=32, choices=IncidentKind.choices)
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    client_order_id = models.CharField(max_length=36, blank=True, default="")
    venue_order_id = models.CharField(max_length=64, blank=True, default="")
    intent = models.CharField(max_length=5, blank=True, default="")
    payload = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    # Idempotency key for imports (journal lines, repeated drift checks): one incident per fact.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    resolution = models.CharField(max_length=32, blank=True, default="")
    resolution_reason = models.TextField(blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "incidents"
        indexes = [models.Index(fields=["status", "-id"], name="incidents_by_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=IncidentKind.values),
                name="incidents_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=IncidentStatus.values),
                name="incidents_status_valid",
            ),
        ]
