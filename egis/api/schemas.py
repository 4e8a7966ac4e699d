"""Request and response shapes. Money is always a decimal string; ids are bounded integers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema

from egis.core import inputs
from egis.core.inputs import MAX_ID

# Every value goes through the one input grammar (egis.core.inputs): the API, the pages and the
# CLI accept and refuse exactly the same things. The schema below documents the same rules.

__all__ = ["MAX_ID"]


def _name(info: ValidationInfo) -> str:
    return info.field_name or "value"


def _usd(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_usd(value, field=_name(info)), "f")


def _price(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_quantity(value, field=_name(info)), "f")


def _id(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_id(value, field=_name(info))


def _leverage(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_leverage(value, field=_name(info))


def _max_open(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(
        value, field=_name(info), minimum=1, maximum=inputs.MAX_OPEN_POSITIONS_MAX
    )


def _cooldown(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=inputs.COOLDOWN_S_MAX)


def _page(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=PAGE_MAX)


def _page_size(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=PAGE_SIZE_MAX)


def _text(max_length: int, *, multiline: bool = False) -> Any:
    def check(value: Any, info: ValidationInfo) -> str:
        return inputs.parse_text(
            value, field=_name(info), max_length=max_length, multiline=multiline
        )

    return BeforeValidator(check)


PAGE_MAX = 1_000_000
PAGE_SIZE_MAX = 200
_AMOUNT_RULES = (
    "ASCII digits, no sign, spaces, exponent or '_'; a JSON number is read from its literal "
    "text by the same rule (10.5 yes, 1e1 no)."
)

UsdAmount = Annotated[
    str,
    BeforeValidator(_usd),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,{inputs.USD_PLACES}}})?$",
            "maximum": int(inputs.USD_MAX),
            "examples": ["10.00"],
            "description": f"USD amount, at most {inputs.USD_PLACES} decimals and at most "
            f"{inputs.USD_MAX:,}. {_AMOUNT_RULES}",
        }
    ),
]
PriceAmount = Annotated[
    str,
    BeforeValidator(_price),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,{inputs.QTY_PLACES}}})?$",
            "maximum": int(inputs.QTY_MAX),
            "description": f"price, at most {inputs.QTY_PLACES} decimals and at most "
            f"{inputs.QTY_MAX:,}. {_AMOUNT_RULES}",
        }
    ),
]
Id = Annotated[
    int,
    BeforeValidator(_id),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID,
            "description": "an integer id (a JSON integer, never a boolean or a fraction)",
        }
    ),
]
Leverage = Annotated[
    int,
    BeforeValidator(_leverage),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": inputs.LEVERAGE_MAX}),
]
MaxOpenPositions = Annotated[
    int,
    BeforeValidator(_max_open),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": inputs.MAX_OPEN_POSITIONS_MAX,
            "description": "risk limit: opens are refused while this many positions are open "
            "(null: off)",
        }
    ),
]
CooldownSeconds = Annotated[
    int,
    BeforeValidator(_cooldown),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": inputs.COOLDOWN_S_MAX,
            "description": "risk limit: seconds an open waits after the bot's last open order "
            "was submitted (null: off)",
        }
    ),
]
PageNo = Annotated[
    int,
    BeforeValidator(_page),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
]
PageSize = Annotated[
    int,
    BeforeValidator(_page_size),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX}),
]


def _text_schema(max_length: int) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": max_length,
            "description": "text without NUL or control characters",
        }
    )


Name = Annotated[str, _text(inputs.NAME_MAX), _text_schema(inputs.NAME_MAX)]
Symbol = Annotated[str, _text(inputs.SYMBOL_MAX), _text_schema(inputs.SYMBOL_MAX)]
Username = Annotated[str, _text(inputs.USERNAME_MAX), _text_schema(inputs.USERNAME_MAX)]
Reason = Annotated[str, _text(inputs.REASON_MAX, multiline=True), _text_schema(inputs.REASON_MAX)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="machine-readable reason, e.g. not_enough_budget")
    detail: str = Field(description="what happened, written for a person")
    errors: list[FieldError] | None = None


class OrderErrorOut(ErrorOut):
    available_usd: str | None = None
    requested_usd: str | None = None
    field: str | None = None
    client_order_id: str | None = Field(None, description="the order, when it reached the venue")
    order_status: str | None = None
    incident_id: int | None = Field(None, description="the incident, if any")


# --- bots -----------------------------------------------------------------------------------


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


# --- positions and orders -------------------------------------------------------------------


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


# --- exits (issue 12) -----------------------------------------------------------------------


def _pct(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_percent(value, field=_name(info)), "f")


Percent = Annotated[
    str,
    BeforeValidator(_pct),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,2}})?$",
            "examples": ["1.5"],
            "description": f"percent, at most 2 decimals. {_AMOUNT_RULES}",
        }
    ),
]


class ExitLevelIn(Strict):
    """A take-profit or stop-loss: a price at the symbol's tick, or a percentage from the
    entry (a long's take-profit above it, its stop-loss below; reversed for a short)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"price": "180.50"}, {"pct": "1"}]}
    )
    price: PriceAmount | None = None
    pct: Percent | None = Field(None, description="0.01 .. 99.99")


class TrailingStopIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"callback_pct": "1"}]}
    )
    callback_pct: Percent = Field(description="0.1 .. 10, as Binance's callbackRate")
    activation_price: PriceAmount | None = Field(
        None, description="starts trailing once the price reaches it"
    )


class ExitsIn(Strict):
    """The exits the position should have: a kind left out or null is removed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"take_profit": {"pct": "2"}, "stop_loss": {"price": "171.30"}}]
        },
    )
    take_profit: ExitLevelIn | None = None
    stop_loss: ExitLevelIn | None = None
    trailing_stop: TrailingStopIn | None = None


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


# --- paper sync and incidents --------------------------------------------------------------


class PaperSyncIn(Strict):
    confirm: bool = Field(False, description="false: dry-run (the default); true: apply")


class PaperChangeRowOut(Schema):
    status: str
    side: str
    qty: str
    entry_price: str


class PaperChangeOut(Schema):
    action: str = Field(description="create | close | update")
    bot_id: int
    symbol: str
    before: PaperChangeRowOut | None
    after: PaperChangeRowOut


class PaperSyncOut(Schema):
    bot_id: int
    applied: bool = Field(description="true when confirm was given and the changes were written")
    summary: str
    counts: dict[str, int]
    diff: list[PaperChangeOut] = Field(description="paper book changes (applied or would-be)")


class IncidentOut(Schema):
    id: int
    kind: str
    status: str
    bot_id: int | None
    order_id: int | None
    client_order_id: str
    venue_order_id: str
    intent: str
    error: str
    resolution: str
    resolution_reason: str
    resolved_by: str | None
    created_at: str | None
    resolved_at: str | None
    payload: Any = None
    actions: list[str] = Field(default_factory=list, description="resolve actions that apply")


class ResolveIn(Strict):
    action: Literal["apply-venue-fill", "void-order", "close-position", "acknowledge"]
    reason: Reason
    price: PriceAmount | None = Field(None, description="exit price (close-position)")
    position_id: Id | None = Field(None, description="close-position: which position")


class ResolutionOut(Schema):
    incident: IncidentOut
    action: str
    detail: str
    halts_lifted: list[int]


class IncidentPageOut(Schema):
    items: list[IncidentOut]
    count: int
    page: int
    page_size: int
    pages: int
