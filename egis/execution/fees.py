"""Fees that a venue had not fully listed when their fill was booked (`orders.fee_pending`).

Binance's trade list (userTrades) can lag the order: the pipeline then books the fill with the
fee of the trades listed so far and marks the fee pending, never a silent 0. Recovery looks each
such order up again and books the rest once every fill is listed (egis.ledger.settle.fee_complete).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from egis.bots.models import Bot
from egis.core.money import plain
from egis.ledger.models import Order
from egis.ledger.settle import BOOKED_FILL_STATUSES, fee_complete
from egis.venues.base import VenueAdapter
from egis.venues.registry import venue_for

logger = logging.getLogger("egis.recovery")

VenueFactory = Callable[[Bot], VenueAdapter]


@dataclass(frozen=True)
class FeeOutcome:
    order_id: int
    client_order_id: str
    bot_id: int
    completed: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "bot_id": self.bot_id,
            "completed": self.completed,
            "detail": self.detail,
        }


def complete_pending_fees(*, venue_factory: VenueFactory = venue_for) -> list[FeeOutcome]:
    """Look booked fills with a pending fee up again; book the full fee once all are listed."""
    outcomes = []
    pending = (
        Order.objects.filter(fee_pending=True, status__in=BOOKED_FILL_STATUSES)
        .select_related("bot")
        .order_by("id")
    )
    for order in pending:
        try:
            venue = venue_factory(order.bot)
            report = venue.lookup_order(symbol=order.symbol, client_order_id=order.client_order_id)
            if report.fee_pending:
                detail = "the venue does not list every fill yet"
                done = False
            else:
                result = fee_complete(order.pk, report, via="recovery")
                done = True
                detail = (
                    f"fee {plain(result.order.fee_usd)} booked in full"
                    if result is not None
                    else "completed by another worker meanwhile"
                )
        except Exception as exc:  # unreachable, or a contradiction: stays pending, said aloud
            logger.warning("fee of %s still pending: %s", order.client_order_id, exc)
            done, detail = False, f"{type(exc).__name__}: {exc}"
        outcomes.append(
            FeeOutcome(
                order_id=order.pk,
                client_order_id=order.client_order_id,
                bot_id=order.bot_id,
                completed=done,
                detail=detail,
            )
        )
    return outcomes
