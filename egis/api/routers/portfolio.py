"""/api/v1: the cockpit (egis.portfolio) for scripts: the portfolio at a glance, a bot's
activity, the CSV export, pause/resume and close all."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Path, Query, Router, Schema
from pydantic import BeforeValidator, ConfigDict, ValidationInfo, WithJsonSchema

from egis.accounts.selectors import user_by_username
from egis.api.access import bot_for, require_admin
from egis.api.auth import current_user
from egis.api.errors import ApiError, invalid
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.fields import Id, PageNo
from egis.bots.selectors import dashboard
from egis.core.inputs import parse_int
from egis.portfolio.activity import activity
from egis.portfolio.export import csv_response
from egis.portfolio.lines import pause_json
from egis.portfolio.pause import bot_set_paused
from egis.portfolio.stop import CloseAllError, close_all, close_all_plan

router = Router(tags=["cockpit"])

BotId = Path(..., description="the bot's id")
FIRST_PAGE = Query(1)
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut}


class Loose(Schema):
    # Documented fields; the rest rides along as the pages receive it.
    model_config = ConfigDict(extra="allow")


class PortfolioOut(Loose):
    bots: int
    initial_budget_usd: str
    reserved_usd: str
    available_usd: str
    realized_pnl_usd: str
    unrealized_pnl_usd: str | None
    fees_usd: str
    closed_count: int
    wins: int
    win_rate_pct: str | None
    all_fine: bool
    attention: list[str]


class PauseOut(Schema):
    bot_id: int
    paused: bool
    paused_at: str | None
    paused_by: str
    paused_reason: str
    changed: bool


class PlannedCloseOut(Schema):
    position_id: int
    side: str
    symbol: str
    qty: str
    size_usd: str
    sendable: bool
    why_not: str


class CloseAllPlanOut(Schema):
    bot_id: int
    positions: list[PlannedCloseOut]


def _expected(value: Any, info: ValidationInfo) -> int:
    # At least one: with nothing open there is nothing to close.
    return parse_int(value, field="expected", minimum=1, maximum=CLOSE_ALL_MAX)


CLOSE_ALL_MAX = 10_000
CloseCount = Annotated[
    int,
    BeforeValidator(_expected),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": CLOSE_ALL_MAX,
            "description": "how many closes the caller saw in GET .../close-all (sendable ones)",
        }
    ),
]


class CloseAllIn(Schema):
    model_config = ConfigDict(extra="forbid")
    expected: CloseCount


class CloseAllOut(Loose):
    bot_id: int
    requested: int
    closed: int
    summary: str


class ActivityPageOut(Loose):
    tab: str
    items: list[dict[str, Any]]
    page: int
    pages: int
    total: int


@router.get(
    "/portfolio",
    response={200: PortfolioOut, **READ_ERRORS},
    summary="The portfolio at a glance (admins: every bot, or ?owner=USERNAME)",
)
def portfolio_get(
    request: HttpRequest, owner: str | None = Query(None, max_length=150)
) -> dict[str, Any]:
    """Totals over the caller's bots (an admin: all, or one user's), from the maintained closed
    totals: fees paid, win rate, closed trades, and `all_fine` with what needs attention."""
    user = current_user(request)
    owner_id = None
    if owner is not None and user.is_admin:
        found = user_by_username(owner)
        if found is None:
            raise invalid("owner", f"no user named {owner[:40]!r}")
        owner_id = found.pk
    return dashboard(user, owner_id=owner_id)[1]


def _pause(request: HttpRequest, bot_id: int, *, paused: bool) -> dict[str, Any]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    updated, changed = bot_set_paused(bot_id=bot.pk, paused=paused, actor=user)
    return {"bot_id": updated.pk, **pause_json(updated), "changed": changed}


@router.post(
    "/bots/{bot_id}/pause",
    response={200: PauseOut, **WRITE_ERRORS},
    summary="Pause a bot: no new opens from any source; closes and exits still work (audited)",
)
def bots_pause(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    return _pause(request, bot_id, paused=True)


@router.post(
    "/bots/{bot_id}/resume",
    response={200: PauseOut, **WRITE_ERRORS},
    summary="Resume a paused bot (audited)",
)
def bots_resume(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    return _pause(request, bot_id, paused=False)


@router.get(
    "/bots/{bot_id}/close-all",
    response={200: CloseAllPlanOut, **WRITE_ERRORS},
    summary="What Close all would send now (admins; sends nothing)",
)
def bots_close_all_plan(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    require_admin(user)
    return {"bot_id": bot.pk, "positions": [p.as_json() for p in close_all_plan(bot.pk)]}


@router.post(
    "/bots/{bot_id}/close-all",
    response={200: CloseAllOut, **WRITE_ERRORS},
    summary="Close every open position of a bot, one close order each (admins; audited)",
)
def bots_close_all(request: HttpRequest, payload: CloseAllIn, bot_id: Id = BotId) -> dict[str, Any]:
    """`expected`: how many closes the caller saw in the plan (GET the same path); when the plan
    changed meanwhile nothing is sent (409)."""
    user = current_user(request)
    bot = bot_for(user, bot_id)
    require_admin(user)
    sendable = sum(1 for p in close_all_plan(bot.pk) if p.sendable)
    if sendable != payload.expected:
        raise ApiError(
            409,
            "plan_changed",
            f"{payload.expected} closes expected, {sendable} would be sent now: nothing was sent",
        )
    try:
        return close_all(bot_id=bot.pk, actor=user).as_json()
    except CloseAllError as exc:
        raise ApiError(403, exc.code, str(exc)) from exc


@router.get(
    "/bots/{bot_id}/activity",
    response={200: ActivityPageOut, **READ_ERRORS},
    summary="A bot's orders, audit trail (events) or signals: one page, newest first",
)
def bots_activity(
    request: HttpRequest,
    bot_id: Id = BotId,
    tab: Literal["orders", "events", "signals"] = "orders",
    page: PageNo = FIRST_PAGE,
) -> dict[str, Any]:
    user = current_user(request)
    data = activity(bot_for(user, bot_id), tab=tab, viewer=user, page=page)
    return {"tab": data["tab"], **data["list"]}


@router.get(
    "/bots/{bot_id}/export.csv",
    response={200: None, **READ_ERRORS},
    summary="CSV of the bot's closed positions or orders, streamed",
)
def bots_export(
    request: HttpRequest, bot_id: Id = BotId, what: Literal["positions", "orders"] = "positions"
) -> HttpResponseBase:
    """text/csv, oldest first (`what`: closed positions, the default, or orders); money as
    plain decimal strings; text cells that a spreadsheet would run as a formula start with a
    quote."""
    bot = bot_for(current_user(request), bot_id)
    return csv_response(bot.pk, what)
