"""Settle one in-flight order now, by asking its venue by client order id (venue-agnostic).

The decision rules are recovery's (egis.execution.recovery.recover_order): a positive lookup is
booked with settle_order; "does not exist" is lag until it has been answered repeatedly over the
grace period, and only then is the hold released; anything else leaves the order in flight (or,
once old, raises one incident). This entry point serves an operator or a test that
wants the answer for one order at once, whatever its age. It never sends an order.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.execution.recovery import recover_order
from egis.execution.recovery_report import RecoveryOutcome
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order
from egis.venues.base import VenueAdapter
from egis.venues.registry import venue_for


class OrderLookupError(UserFacingError):
    pass


def order_lookup_and_settle(
    order_id: int, *, venue: VenueAdapter | None = None, now: datetime | None = None
) -> RecoveryOutcome:
    order = Order.objects.select_related("bot", "bot__exchange_account").filter(pk=order_id).first()
    if order is None:
        raise OrderLookupError(f"order #{order_id} does not exist")
    if order.status not in IN_FLIGHT_ORDER_STATUSES:
        return RecoveryOutcome(
            order_id=order.pk,
            client_order_id=order.client_order_id,
            bot_id=order.bot_id,
            intent=order.intent,
            action="already_settled",
            detail=f"order is {order.status}",
            order_status=order.status,
        )

    def factory(bot: Bot) -> VenueAdapter:
        return venue if venue is not None else venue_for(bot)

    return recover_order(order, now=now or timezone.now(), venue_factory=factory)
