"""Helpers for the Binance exits tests: open a position through the real pipeline, set its exits
through the real exit service (which hands them to egis.exits.binance_sync), and read what the
fake exchange saw."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.exits.models import Exit
from egis.exits.rules import LevelSpec, TrailingSpec
from egis.exits.services import exits_set
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from tests.support.fake_binance import FakeBinance

D = Decimal
CONDITIONAL = {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"}


def open_long(bot: Any, size_usd: str = "100") -> Position:
    return order_open(bot_id=bot.pk, side="long", size_usd=size_usd).position


def set_exits(
    bot: Any,
    position: Position,
    *,
    sl: str | None = None,
    tp: str | None = None,
    trail_pct: str | None = None,
    activation: str | None = None,
) -> dict[str, Exit]:
    changes: dict[str, Any] = {}
    if sl is not None:
        changes["stop_loss"] = LevelSpec(price=D(sl))
    if tp is not None:
        changes["take_profit"] = LevelSpec(price=D(tp))
    if trail_pct is not None:
        changes["trailing_stop"] = TrailingSpec(
            callback_pct=D(trail_pct), activation_price=D(activation) if activation else None
        )
    exits_set(bot_id=bot.pk, position_id=position.pk, changes=changes)
    return exits_of(position)


def exits_of(position: Position) -> dict[str, Exit]:
    """The position's latest exit row of each kind."""
    rows = Exit.objects.filter(position_id=position.pk).order_by("id")
    return {row.kind: row for row in rows}


def assert_no_conditional_order_on_the_plain_endpoint(fake: FakeBinance) -> None:
    """-4120 is never hit: every order Egis sent to POST /fapi/v1/order is a MARKET order."""
    types = [r.params.get("type") for r in fake.order_posts]
    assert all(t == "MARKET" for t in types), types
    assert not CONDITIONAL & set(types)
    assert fake.answered_code(-4120) == []
