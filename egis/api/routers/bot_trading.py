"""/api/v1/bots/{id}/...: a bot's trading. What an open buys (the quote), its budget, its
positions, its orders (open, close) and the paper book's sync. The bots themselves (list,
create, read, change, delete) are in egis.api.routers.bots."""

from __future__ import annotations

import math
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from egis.api.access import bot_for
from egis.api.auth import current_user
from egis.api.errors import ApiError, forbidden, invalid, not_found
from egis.api.routers.bots import READ_ERRORS, WRITE_ERRORS, BotId
from egis.api.schemas.bots import BudgetTraceOut
from egis.api.schemas.errors import ErrorOut, OrderErrorOut
from egis.api.schemas.fields import Id, PageNo, PageSize
from egis.api.schemas.orders import OrderIn, OrderResultOut, PositionPageOut
from egis.api.schemas.paper import PaperSyncIn, PaperSyncOut
from egis.api.schemas.quote import QuoteOut
from egis.bots.services import BotInputError, position_archive
from egis.core.choices import Venue
from egis.exits.quote import exits_quote
from egis.exits.rules import EXIT_KINDS, parse_changes
from egis.ledger import budget
from egis.ledger.models import PositionStatus
from egis.ledger.pipeline import order_submit
from egis.ledger.presenters import order_json, position_json
from egis.ledger.quote import open_quote
from egis.ledger.selectors import position_of_bot, positions_of_bot
from egis.reconcile.paper import paper_reconcile
from egis.venues.selectors import stored_price

router = Router(tags=["bots"])

PositionId = Path(..., description="the position's id")
FirstPage = Query(1)
DefaultPageSize = Query(50)


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
