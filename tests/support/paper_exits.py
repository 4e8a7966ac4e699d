"""Paper exits set up for page tests: a position closed by its own take-profit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from egis.exits.paper_engine import exits_check
from egis.exits.rules import LevelSpec
from egis.ledger.pipeline import order_open


def long_closed_by_take_profit(
    bot_id: int, set_price: Callable[[str, str], None], *, at: str, fills_at: str
) -> None:
    """A $20 long on ETHUSDT with a take-profit at `at`, closed by it once the price is
    `fills_at` (the paper trigger engine's own evaluation)."""
    order_open(
        bot_id=bot_id,
        side="long",
        size_usd="20",
        exits={"take_profit": LevelSpec(price=Decimal(at))},
    )
    set_price("ETHUSDT", fills_at)
    exits_check()
