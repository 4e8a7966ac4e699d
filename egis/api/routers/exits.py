"""/api/v1/bots/{id}/exits and /api/v1/bots/{id}/positions/{pid}/exits: a position's take-profit,
stop-loss and trailing stop."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from egis.api.access import bot_for
from egis.api.auth import current_user
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.exits import ExitsIn
from egis.api.schemas.fields import Id
from egis.exits.presenters import bot_exits_json
from egis.exits.rules import parse_body
from egis.exits.services import exits_set

router = Router(tags=["exits"])

BotId = Path(..., description="the bot's id")
PositionId = Path(..., description="the position's id")
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type] = {
    **READ_ERRORS,
    400: ErrorOut,
    403: ErrorOut,
    409: ErrorOut,
    503: ErrorOut,
}


class ExitOut(Schema):
    id: int
    position_id: int
    bot_id: int
    venue: str
    symbol: str
    kind: str
    label: str
    status: str
    direction: str
    trigger_price: str | None
    callback_pct: str | None
    activation_price: str | None
    extreme_price: str | None
    spec: dict[str, str]
    quantity: str | None
    client_algo_id: str
    venue_algo_id: str
    error: str
    fired_price: str | None
    distance_pct: str | None = Field(None, description="% from the current price to the trigger")
    from_entry_pct: str | None = Field(None, description="% from the entry price to the trigger")
    created_at: str | None
    ended_at: str | None


class PositionExitsOut(Schema):
    position_id: int
    side: str
    qty: str
    entry_price: str | None
    mark_price: str | None
    exits: list[ExitOut]
    alert: str


class BotExitsOut(Schema):
    bot_id: int
    positions: list[PositionExitsOut]


@router.get(
    "/{bot_id}/exits",
    response={200: BotExitsOut, **READ_ERRORS},
    summary="The exits of the bot's open positions",
)
def bots_exits(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    """Each open position with its live exits (trigger price, distance from the mark in %) and
    the ones that broke (expired, failed), with `alert` saying so ("No active stop: ...")."""
    bot = bot_for(current_user(request), bot_id)
    return bot_exits_json(bot.pk, bot.symbol)


@router.put(
    "/{bot_id}/positions/{position_id}/exits",
    response={200: PositionExitsOut, **WRITE_ERRORS},
    summary="Set the exits of an open position (a kind left out is removed)",
)
def bots_position_exits(
    request: HttpRequest, payload: ExitsIn, bot_id: Id = BotId, position_id: Id = PositionId
) -> dict[str, Any]:
    """`{"take_profit": {"pct": "2"}, "stop_loss": {"price": "171.30"},
    "trailing_stop": {"callback_pct": "1", "activation_price": "182"}}`: the exits the position
    should have; `{}` removes them all. 422 before anything is sent: a long's stop must be below
    the current price and its take-profit above (reversed for a short), prices at the symbol's
    tick, percentages in range. 409: the position is not open, or closing. 503: no price."""
    user = current_user(request)
    bot = bot_for(user, bot_id)
    exits_set(
        bot_id=bot.pk,
        position_id=position_id,
        changes=parse_body(payload.model_dump()),
        actor=user,
    )
    shown = bot_exits_json(bot.pk, bot.symbol)
    return next(p for p in shown["positions"] if p["position_id"] == position_id)
