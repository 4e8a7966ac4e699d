"""The quote's answer (GET /api/v1/bots/{id}/quote): what an open of an amount buys now."""

from __future__ import annotations

from ninja import Field, Schema


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
