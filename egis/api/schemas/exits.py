"""Exits (issue 12): take-profit, stop-loss and trailing stop, as requests."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from egis.api.schemas.fields import Percent, PriceAmount, Strict


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
