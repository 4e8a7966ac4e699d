"""Request and response shapes. Money is always a decimal string; ids are bounded integers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, WithJsonSchema

# SQLite (and PostgreSQL) integers are 64-bit: a bigger id must be a 422, not an OverflowError.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Amounts beyond a trillion dollars are typos; bounding them keeps every later step exact.
MAX_USD = Decimal("1000000000000")


def _decimal_text(value: Any) -> Any:
    """Accept a decimal string, an int, or an exact JSON decimal (see egis.api.parser)."""
    if isinstance(value, (bool, float)):
        raise ValueError('must be a decimal string such as "10.00"')
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)  # "10.1", or "1E+3": exact either way
    return value


def _bounded_amount(value: str) -> str:
    text = value.strip()
    if len(text) > 40:
        raise ValueError("too long for an amount")
    try:
        amount = Decimal(text)
    except ArithmeticError:
        return value  # the service gives the precise message ("must be a decimal number")
    if amount.is_finite() and abs(amount) > MAX_USD:
        raise ValueError(f"must be at most {MAX_USD}")
    return value


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


UsdAmount = Annotated[
    str,
    BeforeValidator(_decimal_text),
    AfterValidator(_clean_text),
    AfterValidator(_bounded_amount),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,13}(\.\d{1,2})?$",
            "examples": ["10.00"],
            "description": "USD amount as a decimal string (at most 2 decimals). JSON numbers "
            "are accepted too and read exactly, never through float.",
        }
    ),
]
Text = Annotated[str, AfterValidator(_clean_text)]


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
    reconciliation_id: int | None = Field(None, description="the pending reconciliation, if any")


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
    needs_reconciliation: bool
    open_positions: int
    created_at: str


class BotDetailOut(BotOut):
    budget: BudgetOut


class BotIn(Strict):
    name: Text = Field(min_length=1, max_length=80)
    venue: Literal["paper", "binance_futures"] = "paper"
    symbol: Text = Field(min_length=1, max_length=32, examples=["ETHUSDT"])
    initial_budget_usd: UsdAmount
    leverage: int = Field(1, ge=1, le=125)
    exchange_account_id: Id | None = None
    owner: Text | None = Field(
        None, max_length=150, description="username of the owner; admins only (default: caller)"
    )


class BotUpdateIn(Strict):
    """Only the fields sent change; a budget below what open positions hold is a 409."""

    name: Text | None = Field(None, min_length=1, max_length=80)
    initial_budget_usd: UsdAmount | None = None
    leverage: int | None = Field(None, ge=1, le=125)
    is_active: bool | None = None


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


class OrderResultOut(Schema):
    order: OrderOut
    position: PositionOut


class OrderDetailOut(Schema):
    order: OrderOut
    position: PositionOut | None


# --- paper sync and reconciliations ---------------------------------------------------------


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


class ReconciliationOut(Schema):
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
    reason: Text = Field(min_length=1, max_length=2000)
    price: (
        Annotated[
            str,
            BeforeValidator(_decimal_text),
            AfterValidator(_clean_text),
            AfterValidator(_bounded_amount),
            WithJsonSchema({"type": "string", "description": "exit price (close-position)"}),
        ]
        | None
    ) = None
    position_id: Id | None = Field(None, description="close-position: which position")


class ResolutionOut(Schema):
    reconciliation: ReconciliationOut
    action: str
    detail: str
    halts_lifted: list[int]


class ReconciliationPageOut(Schema):
    items: list[ReconciliationOut]
    count: int
    page: int
    page_size: int
    pages: int
