"""/api/v1/reconciliations: pending reconciliations (admin only)."""

from __future__ import annotations

import math
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router

from egis.api.access import require_admin
from egis.api.auth import current_user
from egis.api.schemas import MAX_ID, ErrorOut, ReconciliationPageOut
from egis.ledger.models import PendingReconciliation

router = Router(tags=["reconciliations"])


def reconciliation_json(row: PendingReconciliation) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "status": row.status,
        "bot_id": row.bot_id,
        "order_id": row.order_id,
        "client_order_id": row.client_order_id,
        "venue_order_id": row.venue_order_id,
        "intent": row.intent,
        "payload": row.payload,
        "error": row.error,
        "resolution": row.resolution,
        "resolution_reason": row.resolution_reason,
        "created_at": row.created_at.isoformat(),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
    }


@router.get(
    "",
    response={200: ReconciliationPageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Pending reconciliations, newest first (admin only)",
)
def reconciliations_list(
    request: HttpRequest,
    status: Literal["open", "resolved"] | None = "open",
    bot_id: int | None = Query(None, ge=1, le=MAX_ID),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    require_admin(current_user(request))
    qs = PendingReconciliation.objects.all()
    if status is not None:
        qs = qs.filter(status=status)
    if bot_id is not None:
        qs = qs.filter(bot_id=bot_id)
    count = qs.count()
    rows = qs.order_by("-id")[(page - 1) * page_size : page * page_size]
    return {
        "items": [reconciliation_json(r) for r in rows],
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(count / page_size)),
    }
