"""What an amount buys right now: the open form's preview, sized exactly as the pipeline sizes.

The figure comes from the same place the order will: the amount is read by the pipeline's own
parser, the quantity by the pipeline's own sizing (`size_open`: the venue adapter's rules,
reference price and buffer), the price by the venue's own fill rule (`market_fill_price`:
slippage and tick on paper), and the amount shown by the one rounding rule of a shown position
size (`shown_hold`). So the quote says what a fill at this price books, to the cent. The page
shows the server's sentence; it never does this arithmetic itself.

A quote writes nothing and sends nothing: it does not call `prepare()` (which may set leverage
at the venue), and it reserves nothing. It does say the refusal the Open would get now (the bot
paused or halted, netting, a risk limit, not enough budget), from the preflight's own checks
(`open_preflight`), so the warning shows before the tap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from egis.bots.models import Bot
from egis.core.figures import base_asset, price_text, qty_text, size_text
from egis.core.money import plain, usd_display, usd_str
from egis.ledger.budget import shown_hold
from egis.ledger.errors import InvalidOrderInput, OrderRefused, VenueNotReady
from egis.ledger.open_checks import open_preflight, size_open
from egis.ledger.order_inputs import parse_size_usd
from egis.venues.base import SymbolRules, VenueAdapter, VenueError
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for


@dataclass(frozen=True)
class OpenQuote:
    symbol: str
    base_asset: str
    size_usd: Decimal
    qty: Decimal
    price: Decimal  # the reference price the order is sized at
    fill_price: Decimal  # what a MARKET fill gets at that reference (the venue's fill rule)
    notional_usd: Decimal  # qty x fill price: what the hold becomes at this price
    rules: SymbolRules
    # What the open's preflight would refuse now (None: it would pass), e.g. not enough budget.
    refusal: OrderRefused | None = None

    @property
    def hold_usd(self) -> Decimal:
        """The amount the booked position will show (whole cents, rounded up)."""
        return shown_hold(self.notional_usd)

    @property
    def summary(self) -> str:
        step = self.rules.step_size
        # Quantities in the base asset at the lot step (the quantity is on the step), the amount
        # booked by the one rule of a shown position size (`size_text`, as the position's card,
        # the open flash and Activity show it), the price at the tick with "$".
        return (
            f"{usd_display(self.size_usd)} buys {qty_text(self.qty, symbol=self.symbol, step=step)}"
            f" ≈ {size_text(self.notional_usd)} at "
            f"{price_text(self.fill_price, tick=self.rules.tick_size)} "
            f"(step {qty_text(step, symbol=self.symbol, step=step)})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "base_asset": self.base_asset,
            "size_usd": usd_str(self.size_usd),
            "qty": plain(self.qty),
            "price": plain(self.price),
            "notional_usd": usd_str(self.notional_usd),
            "step_size": plain(self.rules.step_size),
            "tick_size": plain(self.rules.tick_size),
            "min_notional_usd": usd_str(self.rules.min_notional),
            "summary": self.summary,
            **({"refusal": refusal_json(self.refusal)} if self.refusal else {}),
        }


def refusal_json(exc: OrderRefused) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message}


def amount_in_words(exc: InvalidOrderInput) -> InvalidOrderInput:
    """An amount refusal as the open form says it ("The amount must be ..."), never the API's
    field name ("size_usd must be ..."); `field` stays "size_usd" for programs. The quote (shown
    under the amount while typing) and the Open form's submit answer in the same words."""
    if exc.field != "size_usd":
        return exc
    return InvalidOrderInput(exc.message.replace("size_usd", "The amount", 1), field=exc.field)


def open_quote(
    *, bot: Bot, size_usd: object, side: str = "long", venue: VenueAdapter | None = None
) -> OpenQuote:
    """What `size_usd` opens on this bot at the current price on `side` (a long buys, a short
    sells: slippage moves the fill against either), or the refusal the open would get
    (`InvalidOrderInput`, `OrderSizeRejected`; `VenueNotReady` when there is no price)."""
    try:
        requested = parse_size_usd(size_usd)
    except InvalidOrderInput as exc:
        raise amount_in_words(exc) from None
    try:
        adapter = venue or venue_for(bot)
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc
    rules, price, qty = size_open(adapter, bot.symbol, requested)  # the open's own sizing
    fill_price = adapter.market_fill_price(bot.symbol, buying=side == "long", reference=price)
    refusal: OrderRefused | None = None
    try:
        open_preflight(bot, side, requested)  # the open's own checks; reads only
    except OrderRefused as exc:
        refusal = exc
    return OpenQuote(
        symbol=bot.symbol,
        base_asset=base_asset(bot.symbol),
        size_usd=requested,
        qty=qty,
        price=price,
        fill_price=fill_price,
        notional_usd=qty * fill_price,
        rules=rules,
        refusal=refusal,
    )
