"""/api/v1/bots/{id}/signals and the bot's webhook (create, rotate, revoke) for its owner."""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status

from egis.api.access import bot_for
from egis.api.auth import current_user
from egis.api.schemas.errors import ErrorOut
from egis.api.schemas.fields import Id, PageNo, PageSize
from egis.signals.hooks import IssuedHook, hook_create, hook_revoke, hook_rotate
from egis.signals.models import SignalStatus
from egis.signals.selectors import hook_url, signal_list
from egis.signals.template import bot_tradingview_template

router = Router(tags=["signals"])

BotId = Path(..., description="the bot's id")
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}


class SignalOrderOut(Schema):
    client_order_id: str
    intent: str
    status: str
    position_id: int


class SignalOut(Schema):
    id: int
    bot_id: int
    received_at: str | None
    processed_at: str | None
    sender_id: str
    action: str
    status: str
    reason: str
    # The reason's machine code ("stale", "not_enough_budget", "max_order_usd"...; "" if none).
    code: str
    client_order_ids: list[str]
    orders: list[SignalOrderOut]


class SignalPageOut(Schema):
    items: list[SignalOut]
    count: int
    page: int
    page_size: int
    pages: int


class HookIssuedOut(Schema):
    bot_id: int
    url: str
    secret: str
    template: str


class HookRevokedOut(Schema):
    bot_id: int
    revoked_at: str | None


@router.get(
    "/{bot_id}/signals",
    response={200: SignalPageOut, **READ_ERRORS},
    summary="The bot's signals, newest first, paginated, with the orders each caused",
)
def bots_signals(
    request: HttpRequest,
    bot_id: Id = BotId,
    status: SignalStatus | None = None,
    page: PageNo = Query(1),  # noqa: B008 (ninja's declaration style)
    page_size: PageSize = Query(50),  # noqa: B008
) -> dict[str, Any]:
    bot = bot_for(current_user(request), bot_id)
    items, count = signal_list(
        bot_id=bot.pk, status=status, limit=page_size, offset=(page - 1) * page_size
    )
    return {
        "items": items,
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(count / page_size)),
    }


def _issued(request: HttpRequest, issued: IssuedHook) -> dict[str, Any]:
    base = f"{request.scheme}://{request.get_host()}"
    return {
        "bot_id": issued.hook.bot_id,
        "url": hook_url(issued.hook.hook_id, base),
        "secret": issued.secret,
        "template": bot_tradingview_template(issued.hook.bot, issued.secret),
    }


@router.post(
    "/{bot_id}/hook",
    response={201: HookIssuedOut, **WRITE_ERRORS},
    summary="Create the bot's signal webhook (the secret is in this answer only)",
)
def bots_hook_create(request: HttpRequest, bot_id: Id = BotId) -> Status:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    return Status(201, _issued(request, hook_create(bot_id=bot.pk, actor=user)))


@router.post(
    "/{bot_id}/hook/rotate",
    response={201: HookIssuedOut, **WRITE_ERRORS},
    summary="New webhook URL and secret; the old ones stop working at once",
)
def bots_hook_rotate(request: HttpRequest, bot_id: Id = BotId) -> Status:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    return Status(201, _issued(request, hook_rotate(bot_id=bot.pk, actor=user)))


@router.delete(
    "/{bot_id}/hook",
    response={200: HookRevokedOut, **WRITE_ERRORS},
    summary="Revoke the bot's signal webhook",
)
def bots_hook_revoke(request: HttpRequest, bot_id: Id = BotId) -> dict[str, Any]:
    user = current_user(request)
    bot = bot_for(user, bot_id)
    hook = hook_revoke(bot_id=bot.pk, actor=user)
    return {
        "bot_id": hook.bot_id,
        "revoked_at": hook.revoked_at.isoformat() if hook.revoked_at else None,
    }
