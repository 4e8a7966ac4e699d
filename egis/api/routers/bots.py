"""/api/v1/bots: the bots themselves (list, create, read, change, delete). A bot's trading (the
quote, its budget, positions, orders and the paper sync) is in egis.api.routers.bot_trading."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router, Status

from egis.accounts.models import User
from egis.accounts.selectors import user_by_username
from egis.api.access import bot_for
from egis.api.auth import current_user
from egis.api.errors import ApiError, forbidden, invalid
from egis.api.schemas.bots import BotDetailOut, BotIn, BotListOut, BotUpdateIn
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.fields import Id
from egis.bots.models import Bot
from egis.bots.presenters import bot_json
from egis.bots.selectors import bots_visible_to, bots_with_counts
from egis.bots.services import (
    BotInputError,
    bot_create,
    bot_delete,
    bot_update,
)
from egis.ledger import budget
from egis.ledger.budget import BudgetBelowHeld
from egis.ledger.risk import RISK_FIELDS
from egis.venues.selectors import account_find

router = Router(tags=["bots"])

BotId = Path(..., description="the bot's id")
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


def _detail(bot: Bot) -> dict[str, Any]:
    return {**bot_json(bot), "budget": budget.get_budget(bot).as_json()}


# The service names a field as the input grammar does; the API's body names it so.
_API_FIELDS = {"budget": "initial_budget_usd", "exchange_account": "exchange_account_id"}


@router.get("", response={200: BotListOut, 401: ErrorOut}, summary="List bots")
def bots_list(request: HttpRequest) -> dict[str, Any]:
    """The caller's bots (an admin: every bot, with its owner), each with its budget."""
    user = current_user(request)
    bots = list(bots_with_counts(bots_visible_to(user)).order_by("id"))
    budgets = budget.get_budgets(bots)  # one grouped query, not one per bot
    items = [{**bot_json(b), "budget": budgets[b.pk].as_json()} for b in bots]
    return {"items": items, "count": len(bots)}


def _owner_for(user: User, requested: str | None) -> User:
    if requested is None or requested == user.username:
        return user
    if not user.is_admin:
        raise forbidden("only an admin may create a bot for another user")
    owner = user_by_username(requested, active_only=True)
    if owner is None:
        raise invalid("owner", f"no active user named {requested!r}")
    return owner


@router.post("", response={201: BotDetailOut, **WRITE_ERRORS}, summary="Create a bot")
def bots_create(request: HttpRequest, payload: BotIn) -> Status[dict[str, Any]]:
    user = current_user(request)
    owner = _owner_for(user, payload.owner)
    account = None
    if payload.exchange_account_id is not None:
        account = account_find(payload.exchange_account_id)
        if account is None or (account.owner_id != owner.pk and not user.is_admin):
            raise invalid("exchange_account_id", "no such exchange account")
    try:
        bot = bot_create(
            owner=owner,
            name=payload.name,
            venue=payload.venue,
            symbol=payload.symbol,
            budget_usd=payload.initial_budget_usd,
            leverage=payload.leverage,
            exchange_account=account,
            max_open_positions=payload.max_open_positions,
            max_order_usd=payload.max_order_usd,
            cooldown_s=payload.cooldown_s,
            daily_loss_limit_usd=payload.daily_loss_limit_usd,
            actor=user,
        )
    except BotInputError as exc:
        # Every field's problem, as the page shows them (the detail is the first one's).
        errors = [
            {"field": _API_FIELDS.get(one.field, one.field), "message": str(one)}
            for one in exc.each()
        ]
        raise ApiError(422, "invalid_input", str(exc), errors=errors) from exc
    return Status(201, _detail(bot))


@router.get(
    "/{bot_id}", response={200: BotDetailOut, **READ_ERRORS}, summary="A bot with its budget"
)
def bots_get(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    return _detail(bot_for(current_user(request), bot_id))


@router.delete(
    "/{bot_id}",
    response={204: None, 409: ErrorOut, **WRITE_ERRORS},
    summary="Delete a bot (soft; refused while positions are open)",
)
def bots_delete(request: HttpRequest, bot_id: Id = BotId) -> Status[None]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    try:
        bot_delete(bot=bot, actor=user)
    except BotInputError as exc:
        raise ApiError(409, "bot_busy", str(exc)) from exc
    return Status(204, None)


@router.patch(
    "/{bot_id}",
    response={200: BotDetailOut, 409: ErrorOut, **WRITE_ERRORS},
    summary="Change a bot's name, budget, leverage, activation or risk limits (audited)",
)
def bots_update(request: HttpRequest, payload: BotUpdateIn, bot_id: Id = BotId) -> dict[str, Any]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    try:
        updated = bot_update(
            bot=bot,
            name=bot.name if payload.name is None else payload.name,
            budget_usd=(
                bot.initial_budget_usd
                if payload.initial_budget_usd is None
                else payload.initial_budget_usd
            ),
            leverage=bot.leverage if payload.leverage is None else payload.leverage,
            is_active=bot.is_active if payload.is_active is None else payload.is_active,
            actor=user,
            # A risk limit changes only when sent; null turns it off.
            **{f: getattr(payload, f) for f in RISK_FIELDS if f in payload.model_fields_set},
        )
    except BudgetBelowHeld as exc:
        raise ApiError(409, exc.code, str(exc), **exc.details) from exc
    except BotInputError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from exc
    return _detail(updated)
