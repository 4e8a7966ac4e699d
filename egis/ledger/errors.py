"""Refusals and controlled failures of the order pipeline.

A refusal (`OrderRefused`) happens before any venue call: nothing was sent. `OrderNotBooked` is
raised after a venue call when the outcome could not be booked normally; it always names the
order (and the incident, if one was written) so a person can follow it up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.errors import UserFacingError
from egis.core.money import usd_display, usd_str


class OrderRefused(UserFacingError):
    code = "refused"
    http_status = 409

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidOrderInput(OrderRefused):
    code = "invalid_input"
    http_status = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)
        self.field = field


class OrderSizeRejected(OrderRefused):
    """The amount is outside the symbol's size limits (too small or too large) at this price.
    `smallest_usd`: for one too small, the smallest amount that opens (the message names it)."""

    code = "order_size"
    http_status = 422

    def __init__(self, message: str, *, smallest_usd: Decimal | None = None) -> None:
        super().__init__(message)
        self.smallest_usd = smallest_usd


class NotEnoughBudget(OrderRefused):
    code = "not_enough_budget"

    def __init__(self, *, available: Decimal, requested: Decimal) -> None:
        super().__init__(
            f"Not enough budget. Available: {usd_display(available, toward_zero=True)}, "
            f"Requested: {usd_display(requested)}",
            available_usd=usd_str(available),
            requested_usd=usd_str(requested),
        )


class BotNotFound(OrderRefused):
    code = "bot_not_found"
    http_status = 404


class BotNotTradable(OrderRefused):
    code = "bot_not_tradable"


class BotPaused(BotNotTradable):
    """A person paused the bot (egis.portfolio.pause): no new opens until resumed."""

    code = "bot_paused"


class NettingConflict(OrderRefused):
    code = "netting_conflict"


class PositionNotFound(OrderRefused):
    code = "position_not_found"
    http_status = 404


class PositionNotOpen(OrderRefused):
    code = "position_not_open"


class PositionBusy(OrderRefused):
    code = "position_busy"


class VenueNotReady(OrderRefused):
    """The venue cannot take orders for this bot (no price, no rules, account misconfigured)."""

    code = "venue_not_ready"
    http_status = 503


class OrderNotBooked(UserFacingError):
    """After a venue call: the venue refused, failed, or the outcome is unknown or unbooked."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        client_order_id: str,
        order_status: str,
        http_status: int,
        code: str,
        incident_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.client_order_id = client_order_id
        self.order_status = order_status
        self.http_status = http_status
        self.code = code
        self.incident_id = incident_id


class RiskLimitReached(OrderRefused):
    """One of the bot's own risk limits (egis.ledger.risk) refuses an open; nothing was sent.

    The message names the limit and by how much; `details` carries the figures for scripts."""

    code = "risk_limit"


class MaxOrderUsdExceeded(RiskLimitReached):
    code = "max_order_usd"


class OpenCooldown(RiskLimitReached):
    code = "cooldown"


class MaxOpenPositionsReached(RiskLimitReached):
    code = "max_open_positions"


class DailyLossLimitReached(RiskLimitReached):
    code = "daily_loss_limit"
