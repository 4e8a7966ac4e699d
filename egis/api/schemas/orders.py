"""Positions and orders."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from egis.api.schemas.exits import ExitLevelIn, TrailingStopIn
from egis.api.schemas.fields import Id, Strict, UsdAmount


class PositionOut(Schema):
    id: int
    bot_id: int
    symbol: str
    side: str
    status: str
    size_usd: str | None
    requested_size_usd: str | None
    qty: str | None
    entry_price: str | None
    exit_price: str | None
    fees_usd: str | None
    realized_pnl_usd: str | None
    net_realized_pnl_usd: str | None
    closing: bool
    opened_at: str | None
    closed_at: str | None
    close_reason: str = Field("", description="manual, signal, take_profit, stop_loss, ...")
    mark_price: str | None = None
    unrealized_pnl_usd: str | None = None


class PositionPageOut(Schema):
    items: list[PositionOut]
    count: int
    page: int
    page_size: int
    pages: int


class OrderOut(Schema):
    id: int
    client_order_id: str
    venue_order_id: str
    bot_id: int
    position_id: int | None
    intent: str
    side: str
    symbol: str
    reduce_only: bool
    status: str
    requested_qty: str | None
    requested_usd: str | None
    executed_qty: str | None
    avg_price: str | None
    cum_quote_usd: str | None
    fee_usd: str | None
    fee_pending: bool = Field(
        False,
        description=(
            "the fill is booked but the venue has not listed all its trades yet: fee_usd is what "
            "the listed ones cost, and recovery books the rest"
        ),
    )
    error: str
    created_at: str | None


class OrderIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"intent": "open", "side": "long", "size_usd": "10.00"},
                {"intent": "close", "position_id": 7},
            ]
        },
    )

    intent: Literal["open", "close"]
    side: Literal["long", "short"] | None = Field(None, description="open only")
    size_usd: UsdAmount | None = Field(None, description="open only")
    position_id: Id | None = Field(None, description="close only: an open position of this bot")
    # Exits (issue 12), open only: set on the position once its fill is booked.
    take_profit: ExitLevelIn | None = Field(None, description="open only")
    stop_loss: ExitLevelIn | None = Field(None, description="open only")
    trailing_stop: TrailingStopIn | None = Field(None, description="open only")


class OrderResultOut(Schema):
    order: OrderOut
    position: PositionOut


class OrderDetailOut(Schema):
    order: OrderOut
    position: PositionOut | None
