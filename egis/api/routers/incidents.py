"""/api/v1/incidents: incidents and their resolution (admin only)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router

from egis.api.access import require_admin
from egis.api.auth import current_user
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.fields import Id, PageNo, PageSize
from egis.api.schemas.incidents import IncidentOut, IncidentPageOut, ResolutionOut, ResolveIn
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import incident_get, incident_json
from egis.ledger.selectors import incident_page

router = Router(tags=["incidents"])

IncidentId = Path(...)
AnyBot = Query(None)
FirstPage = Query(1)
DefaultPageSize = Query(50)
ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "",
    response={200: IncidentPageOut, **ERRORS},
    summary="Incidents, newest first (admin only)",
)
def incidents_list(
    request: HttpRequest,
    status: Literal["open", "resolved"] | None = "open",
    bot_id: Id | None = AnyBot,
    page: PageNo = FirstPage,
    page_size: PageSize = DefaultPageSize,
) -> dict[str, Any]:
    require_admin(current_user(request))
    found = incident_page(status=status, bot_id=bot_id, page=page, page_size=page_size)
    return {
        "items": [incident_json(r, full=True) for r in found.items],
        "count": found.total,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
    }


@router.get(
    "/{incident_id}",
    response={200: IncidentOut, **ERRORS},
    summary="One incident with its payload and the actions that apply (admin only)",
)
def incidents_get(request: HttpRequest, incident_id: Id = IncidentId) -> dict[str, Any]:
    require_admin(current_user(request))
    return incident_json(incident_get(incident_id), full=True)


@router.post(
    "/{incident_id}/resolve",
    response={200: ResolutionOut, 400: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Resolve an open incident with an explicit, audited action (admin only)",
)
def incidents_resolve(
    request: HttpRequest, payload: ResolveIn, incident_id: Id = IncidentId
) -> dict[str, Any]:
    """`apply-venue-fill` / `void-order` (after a positive or negative venue lookup),
    `close-position` (with `price`, optional `position_id`), `acknowledge` (drift gone).
    409 when the action does not apply or the incident is already resolved."""
    user = current_user(request)
    require_admin(user)
    resolution = incident_resolve(
        incident_id=incident_id,
        action=payload.action,
        reason=payload.reason,
        actor=user,
        price=payload.price,
        position_id=payload.position_id,
    )
    return resolution.as_json()
