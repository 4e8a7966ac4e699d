"""/api/v1/bots/{id}/history: the bot's settings history for its owner (and admins)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from egis.api.auth import current_user
from egis.api.errors import not_found
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.fields import Id, PageNo, PageSize
from egis.bots.settings_history import bot_settings_history_for

router = Router(tags=["bots"])

BotId = Path(..., description="the bot's id")
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class HistoryItemOut(Schema):
    id: int
    at: str
    # The moment as the pages write it ("27 Nov, 00:19 UTC"); `at` is ISO 8601.
    when: str
    # "You", "An admin" or "Egis" to the owner; the recorded name to an admin.
    who: str
    # The audit field ("initial_budget_usd", "webhook", "signals", "paused", ...).
    field: str
    # What changed, in words: "Budget $200.00 → $250.00".
    words: str


class HistoryPageOut(Schema):
    items: list[HistoryItemOut]
    count: int
    page: int
    page_size: int
    pages: int


@router.get(
    "/{bot_id}/history",
    response={200: HistoryPageOut, **READ_ERRORS},
    summary="Who changed the bot's settings, and when: newest first, paginated",
)
def bots_history(
    request: HttpRequest,
    bot_id: Id = BotId,
    page: PageNo = Query(1),  # noqa: B008 (ninja's declaration style)
    page_size: PageSize = Query(10),  # noqa: B008
) -> dict[str, Any]:
    found = bot_settings_history_for(
        viewer=current_user(request), bot_id=bot_id, page=page, page_size=page_size
    )
    if found is None:
        raise not_found(f"bot #{bot_id}")
    return found.as_json()
