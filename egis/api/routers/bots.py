"""/api/v1/bots: bots, their budget and positions, orders, and the paper sync."""

from __future__ import annotations

import math
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from egis.accounts.models import User
from egis.accounts.selectors import user_by_username
from egis.api.access import bot_for
from egis.api.auth import current_user
from egis.api.errors import ApiError, forbidden, invalid, not_found
from egis.api.schemas.bots import BotDetailOut, BotIn, BotListOut, BotUpdateIn, BudgetTraceOut
from egis.api.schemas.errors import ErrorOut, OrderErrorOut
from egis.api.schemas.fields import Id, PageNo, PageSize
from egis.api.schemas.orders import OrderIn, OrderResultOut, PositionPageOut
from egis.api.schemas.paper import PaperSyncIn, PaperSyncOut
from egis.bots.models import Bot
from egis.bots.presenters import bot_json
from egis.bots.selectors import bots_visible_to, bots_with_counts
from egis.bots.services import (
    BotInputError,
    bot_create,
    bot_delete,
    bot_update,
    position_archive,
)
from egis.core.choices import Venue
from egis.exits.quote import exits_quote
from egis.exits.rules import EXIT_KINDS, parse_changes
from egis.ledger import budget
from egis.ledger.budget import BudgetBelowHeld
from egis.ledger.models import PositionStatus
from egis.ledger.pipeline import order_submit
from egis.ledger.presenters import order_json, position_json
from egis.ledger.quote import open_quote
from egis.ledger.risk import RISK_FIELDS
from egis.ledger.selectors import position_of_bot, positions_of_bot
from egis.reconcile.paper import paper_reconcile
from egis.venues.selectors import account_find, stored_price

router = Router(tags=["bots"])

BotId = Path(..., description="the bot's id")
PositionId = Path(..., description="the position's id")
FirstPage = Query(1)
DefaultPageSize = Query(50)
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


class ExitQuoteOut(Schema):
    kind: str
    label: str
    trigger_price: str
    distance_pct: str | None
    summary: str = Field(description="e.g. Stop-loss at 171.30 (-1.00%)")


class FieldErrorOut(Schema):
    field: str
    message: str


class QuoteRefusalOut(Schema):
    code: str = Field(description="the refusal's code, as the open would answer it")
    message: str = Field(description="e.g. Not enough budget. Available: $100.00, ...")
    smallest_usd: str | None = Field(
        None, description="code order_size, amount too small: the smallest amount that opens now"
    )


class QuoteOut(Schema):
    symbol: str
    base_asset: str = Field(description="what the quantity is counted in, e.g. BNB")
    size_usd: str = Field(description="the amount asked, as read by the order parser")
    # qty, notional_usd and summary are absent when the amount is outside the symbol's size
    # limits: `refusal` (code order_size) says why and names the smallest amount that opens.
    qty: str | None = Field(
        None, description="the quantity an open would send now, rounded down to the step"
    )
    price: str = Field(description="the current reference price the order is sized at")
    notional_usd: str | None = Field(
        None, description="qty x the price a fill gets now (the venue's fill rule): what is booked"
    )
    step_size: str
    tick_size: str
    min_notional_usd: str
    summary: str | None = Field(
        None, description="e.g. $10.00 buys 0.01 BNB ≈ $5.94 at 593.10 (step 0.01 BNB)"
    )
    # Exits (issue 12): the trigger prices of the take_profit / stop_loss asked, if any.
    exits: list[ExitQuoteOut] = []
    exits_error: FieldErrorOut | None = None  # the first of exits_errors
    # Each exit is quoted on its own: a refused one never hides another's trigger price.
    exits_errors: list[FieldErrorOut] = []
    # What the open would refuse now: the amount outside the symbol's size limits (order_size),
    # else its preflight's (paused, netting, a risk limit, the budget); absent when the open
    # would pass. The quote reserves nothing.
    refusal: QuoteRefusalOut | None = None


@router.get(
    "/{bot_id}/quote",
    response={200: QuoteOut, 503: ErrorOut, **READ_ERRORS},
    summary="What an open of size_usd buys at the current price (sends nothing)",
    exclude_defaults=True,
)
def bots_quote(
    request: HttpRequest,
    bot_id: Id = BotId,
    size_usd: str = Query("", max_length=64, description="USD amount, e.g. 10.00 (required)"),
    side: Literal["long", "short"] = Query(
        "long", description="the fill's side (slippage) and the exits' direction"
    ),
    take_profit: str = Query("", max_length=64, description='a price, or a percent as "1.5%"'),
    stop_loss: str = Query("", max_length=64, description='a price, or a percent as "1.5%"'),
) -> dict[str, Any]:
    """Sized exactly as `POST /bots/{id}/orders` would size an open now (same parser, same
    rounding down to the symbol's step). A malformed amount is a 422; 503 when the venue has
    no price or rules. `refusal` says what the open would be refused now, in the open's words:
    an amount below the smallest order (or above the largest) is `code: order_size` with
    `smallest_usd`, and then qty, notional_usd and summary are absent; otherwise what the
    preflight refuses (bot paused or halted, netting, a risk limit, not enough budget), by its
    own checks. Nothing is reserved. With `take_profit` / `stop_loss`
    ("3000" or "1.5%") and `side`, `exits` gives their trigger prices at this price, or
    `exits_error` what the open would refuse about them."""
    bot = bot_for(current_user(request), bot_id)
    quote = open_quote(bot=bot, size_usd=size_usd, side=side)
    if not (take_profit or stop_loss):
        return quote.as_json()
    exits = exits_quote(
        side=side,
        price=quote.price,
        tick=quote.rules.tick_size,
        take_profit=take_profit,
        stop_loss=stop_loss,
    )
    return {**quote.as_json(), **exits}


@router.get(
    "/{bot_id}/budget",
    response={200: BudgetTraceOut, 403: ErrorOut, **READ_ERRORS},
    summary="The bot's budget (admins: ?debug=true adds the trace)",
    exclude_none=True,
)
def bots_budget(request: HttpRequest, bot_id: Id = BotId, debug: bool = False) -> dict[str, Any]:
    """initial_budget_usd, reserved_usd and available_usd as exact decimal strings."""
    user = current_user(request)
    bot = bot_for(user, bot_id)
    if debug:
        if not user.is_admin:
            raise forbidden("the budget trace is for admins only")
        return budget.explain(bot).as_json()
    return budget.get_budget(bot).as_json()


@router.get(
    "/{bot_id}/positions",
    response={200: PositionPageOut, **READ_ERRORS},
    summary="The bot's positions, newest first, paginated",
)
def bots_positions(
    request: HttpRequest,
    bot_id: Id = BotId,
    status: Literal["open", "closed", "cancelled"] | None = None,
    page: PageNo = FirstPage,
    page_size: PageSize = DefaultPageSize,
) -> dict[str, Any]:
    bot = bot_for(current_user(request), bot_id)
    qs = positions_of_bot(bot, status=status)
    count = qs.count()
    rows = list(qs.order_by("-id")[(page - 1) * page_size : page * page_size])
    mark = stored_price(bot.symbol)
    items = [
        position_json(p, mark_price=mark if p.status == PositionStatus.OPEN else None) for p in rows
    ]
    return {
        "items": items,
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(count / page_size)),
    }


@router.delete(
    "/{bot_id}/positions/{position_id}",
    response={204: None, 409: ErrorOut, **WRITE_ERRORS},
    summary="Archive a closed or cancelled position (admin only; the row is never erased)",
)
def bots_position_archive(
    request: HttpRequest,
    bot_id: Id = BotId,
    position_id: Id = PositionId,
) -> Status[None]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    position = position_of_bot(bot, position_id)
    if position is None:
        raise not_found(f"position #{position_id}")
    if not user.is_admin:
        raise forbidden("archiving positions is for admins only")
    try:
        position_archive(position=position, actor=user)
    except BotInputError as exc:
        raise ApiError(409, "position_open", str(exc)) from exc
    return Status(204, None)


@router.post(
    "/{bot_id}/orders",
    response={
        201: OrderResultOut,
        409: OrderErrorOut,
        422: OrderErrorOut,
        502: OrderErrorOut,
        503: OrderErrorOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 422},
    },
    summary="Open or close a position",
)
def bots_order(
    request: HttpRequest, payload: OrderIn, bot_id: Id = BotId
) -> Status[dict[str, Any]]:
    """`{"intent": "open", "side": "long", "size_usd": "10"}` or
    `{"intent": "close", "position_id": 7}`.

    201: the order and the position as booked (size_usd is the executed size;
    requested_size_usd what was asked). 409: refused before any venue call (not enough budget:
    available_usd and requested_usd; position closing or closed; netting; bot halted) or the
    venue rejected it. 422: bad input, with field errors. 502/503: the venue failed or the
    outcome is unknown; the body names client_order_id and, if any, incident_id.
    """
    user = current_user(request)
    bot = bot_for(user, bot_id)
    if payload.intent == "open" and payload.position_id is not None:
        raise invalid("position_id", "position_id is for intent close only")
    if payload.intent == "close" and (payload.side is not None or payload.size_usd is not None):
        field = "side" if payload.side is not None else "size_usd"
        raise invalid(field, f"{field} is for intent open only")
    exits = parse_changes(  # exits (issue 12): checked before the open is sent
        **{k: getattr(payload, k).model_dump() for k in EXIT_KINDS if getattr(payload, k)}
    )
    if payload.intent == "close" and exits:
        raise invalid(next(iter(exits)), "exits are set with an open, or on an open position")
    result = order_submit(
        bot_id=bot.pk,
        intent=payload.intent,
        side=payload.side,
        size_usd=payload.size_usd,
        position_id=payload.position_id,
        actor=user,
        exits=exits,
    )
    return Status(
        201, {"order": order_json(result.order), "position": position_json(result.position)}
    )


@router.post(
    "/{bot_id}/paper-sync",
    response={200: PaperSyncOut, 409: ErrorOut, **WRITE_ERRORS},
    summary="Sync the paper venue's book with its executions (dry-run unless confirm)",
)
def bots_paper_sync(
    request: HttpRequest, bot_id: Id = BotId, payload: PaperSyncIn | None = None
) -> dict[str, Any]:
    """Dry-run by default: the diff between the paper venue's book (`paper_positions`) and the
    fold of its executions (`paper_fills`). With `{"confirm": true}` the book is rebuilt and
    `applied` is true. Only paper tables are touched: never `positions`, no network."""
    bot = bot_for(current_user(request), bot_id)
    if bot.venue != Venue.PAPER:
        raise ApiError(409, "not_paper", f"bot #{bot.pk} is not a paper bot")
    result = paper_reconcile(bot_id=bot.pk, confirm=bool(payload and payload.confirm)).as_json()
    return {
        "bot_id": bot.pk,
        "applied": result["confirmed"],
        "summary": result["summary"],
        "counts": result["counts"],
        "diff": result["changes"],
    }
