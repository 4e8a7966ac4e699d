"""Bots and their budgets."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from egis.api.schemas.fields import (
    CooldownSeconds,
    Id,
    Leverage,
    MaxOpenPositions,
    Name,
    Strict,
    Symbol,
    UsdAmount,
    Username,
)


class BudgetDisplayOut(Schema):
    initial_budget_usd: str
    reserved_usd: str
    available_usd: str


class BudgetOut(Schema):
    bot_id: int
    initial_budget_usd: str
    reserved_usd: str
    available_usd: str
    display: BudgetDisplayOut = Field(
        description=(
            "What screens show, in whole cents that add up: reserved rounded up to the cent, "
            "available = initial - shown reserved (never more than can be spent)"
        )
    )


class BudgetPositionOut(Schema):
    position_id: int
    side: str
    size_usd: str
    requested_size_usd: str
    qty: str


class BudgetTraceOut(BudgetOut):
    open_positions: list[BudgetPositionOut] | None = None
    steps: list[str] | None = Field(None, description="admins with ?debug=true only")


class BotOut(Schema):
    id: int
    name: str
    owner: str
    venue: str
    symbol: str
    leverage: int
    exchange_account_id: int | None
    initial_budget_usd: str
    is_active: bool
    halted: bool
    halted_reason: str
    halted_words: str = Field(
        description="the halt in a trader's words, with what resumes it (empty when not halted)"
    )
    daily_loss_halt: str = Field(
        default="",
        description="why opens are halted for the rest of the UTC day by the daily loss limit "
        "(empty when they are not); `halted` stays false, the halt lifts by itself",
    )
    opens_halted: bool = Field(
        default=False,
        description="whether an open would be refused now for a halt: `halted` (until resolved) "
        "or `daily_loss_halt` (until the UTC day ends)",
    )
    # Paused by a person (egis.portfolio.pause): no new opens from any source.
    paused: bool = False
    paused_at: str | None = None
    paused_by: str = ""
    has_open_incident: bool
    open_positions: int
    created_at: str
    max_open_positions: int | None = Field(
        description="risk limit: opens refused while this many positions are open (null: off)"
    )
    max_order_usd: str | None = Field(
        description="risk limit: the largest size_usd of one open (null: off)"
    )
    cooldown_s: int | None = Field(
        description="risk limit: seconds between the bot's opens, counted from the last open "
        "order submitted and not refused (null: off)"
    )
    daily_loss_limit_usd: str | None = Field(
        description="risk limit: opens halt for the rest of the UTC day once today's realized "
        "PnL (closed positions, net of fees) is a loss of this much (null: off)"
    )


class BotDetailOut(BotOut):
    budget: BudgetOut


class BotIn(Strict):
    name: Name
    venue: Literal["paper", "binance_futures"] = "paper"
    symbol: Symbol = Field(examples=["ETHUSDT"])
    initial_budget_usd: UsdAmount
    leverage: Leverage = 1
    exchange_account_id: Id | None = None
    owner: Username | None = Field(
        None, description="username of the owner; admins only (default: caller)"
    )
    max_open_positions: MaxOpenPositions | None = None
    max_order_usd: UsdAmount | None = Field(None, description="risk limit (null: off)")
    cooldown_s: CooldownSeconds | None = None
    daily_loss_limit_usd: UsdAmount | None = Field(None, description="risk limit (null: off)")


class BotUpdateIn(Strict):
    """Only the fields sent change; a budget below what open positions hold is a 409. A risk
    limit sent as null is turned off."""

    name: Name | None = None
    initial_budget_usd: UsdAmount | None = None
    leverage: Leverage | None = None
    is_active: bool | None = None
    max_open_positions: MaxOpenPositions | None = None
    max_order_usd: UsdAmount | None = Field(None, description="risk limit (null: off)")
    cooldown_s: CooldownSeconds | None = None
    daily_loss_limit_usd: UsdAmount | None = Field(None, description="risk limit (null: off)")


class BotListOut(Schema):
    items: list[BotDetailOut]
    count: int
