"""/api/v1/orders: one order by its client order id (owner or admin)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router

from egis.api.access import order_for
from egis.api.auth import current_user
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.orders import OrderDetailOut
from egis.ledger.presenters import order_json, position_json

router = Router(tags=["orders"])


@router.get(
    "/{client_order_id}",
    response={200: OrderDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="An order by its client order id",
)
def orders_get(
    request: HttpRequest,
    client_order_id: str = Path(..., min_length=1, max_length=36, pattern=r"^[.A-Za-z0-9:/_-]+$"),
) -> dict[str, Any]:
    order = order_for(current_user(request), client_order_id)
    position = order.position
    return {
        "order": order_json(order),
        "position": position_json(position) if position is not None else None,
    }
