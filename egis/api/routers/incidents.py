"""/api/v1/reconciliations: pending reconciliations and their resolution (admin only)."""

from __future__ import annotations

import math
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router

from egis.api.access import require_admin
from egis.api.auth import current_user
from egis.api.schemas import (
    ErrorOut,
    Id,
    PageNo,
    PageSize,
    ReconciliationOut,
    ReconciliationPageOut,
    ResolutionOut,
    ResolveIn,
)
from egis.execution.reconciliations import (
    reconciliation_get,
    reconciliation_json,
    reconciliation_resolve,
)
from egis.ledger.models import PendingReconciliation

router = Router(tags=["reconciliations"])

ReconciliationId = Path(...)
AnyBot = Query(None)
FirstPage = Query(1)
DefaultPageSize = Query(50)
ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "",
    response={200: ReconciliationPageOut, **ERRORS},
    summary="Pending reconciliations, newest first (admin only)",
)
def reconciliations_list(
    request: HttpRequest,
    status: Literal["open", "resolved"] | None = "open",
    bot_id: Id | None = AnyBot,
    page: PageNo = FirstPage,
    page_size: PageSize = DefaultPageSize,
) -> dict[str, Any]:
    require_admin(current_user(request))
    qs = PendingReconciliation.objects.select_related("resolved_by")
    if status is not None:
        qs = qs.filter(status=status)
    if bot_id is not None:
        qs = qs.filter(bot_id=bot_id)
    count = qs.count()
    rows = qs.order_by("-id")[(page - 1) * page_size : page * page_size]
    return {
        "items": [reconciliation_json(r, full=True) for r in rows],
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(count / page_size)),
    }


@router.get(
    "/{reconciliation_id}",
    response={200: ReconciliationOut, **ERRORS},
    summary="One reconciliation with its payload and the actions that apply (admin only)",
)
def reconciliations_get(
    request: HttpRequest, reconciliation_id: Id = ReconciliationId
) -> dict[str, Any]:
    require_admin(current_user(request))
    return reconciliation_json(reconciliation_get(reconciliation_id), full=True)


@router.post(
    "/{reconciliation_id}/resolve",
    response={200: ResolutionOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Resolve an open reconciliation with an explicit, audited action (admin only)",
)
def reconciliations_resolve(
    request: HttpRequest, payload: ResolveIn, reconciliation_id: Id = ReconciliationId
) -> dict[str, Any]:
    """`apply-venue-fill` / `void-order` (after a positive or negative venue lookup),
    `close-position` (with `price`, optional `position_id`), `acknowledge` (drift gone).
    409 when the action does not apply or the incident is already resolved."""
    user = current_user(request)
    require_admin(user)
    resolution = reconciliation_resolve(
        reconciliation_id=reconciliation_id,
        action=payload.action,
        reason=payload.reason,
        actor=user,
        price=payload.price,
        position_id=payload.position_id,
    )
    return resolution.as_json()
