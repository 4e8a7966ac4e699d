"""What an amount buys right now: the open form's preview, sized exactly as the pipeline sizes.

The figure comes from the same place the order will: the amount is read by the pipeline's own
parser, the quantity by the pipeline's own sizing (`size_open`: the venue adapter's rules,
reference price and buffer), the price by the venue's own fill rule (`market_fill_price`:
slippage and tick on paper), and the amount shown by the one rounding rule of a shown position
size (`shown_hold`). So the quote says what a fill at this price books, to the cent. The page
shows the server's sentence; it never does this arithmetic itself.

An amount outside the symbol's size limits (below the smallest order) is an answer too, not a
client error: the quote says so in `refusal` (code `order_size`, the smallest amount that opens),
with the price and the symbol's rules, and without the quantity it cannot buy.

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
from egis.ledger.errors import InvalidOrderInput, OrderRefused, OrderSizeRejected, VenueNotReady
from egis.ledger.open_checks import open_market, open_preflight, open_qty
from egis.ledger.order_inputs import parse_size_usd
from egis.venues.base import SymbolRules, VenueAdapter, VenueError
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for


@dataclass(frozen=True)
class OpenQuote:
    symbol: str
    base_asset: str
    size_usd: Decimal
    price: Decimal  # the reference price the order is sized at
    fill_price: Decimal  # what a MARKET fill gets at that reference (the venue's fill rule)
    rules: SymbolRules
    # None when the amount is outside the symbol's size limits (`refusal` says why).
    qty: Decimal | None
    # What the open would refuse now (None: it would pass): the size, or its preflight's checks.
    refusal: OrderRefused | None = None

    @property
    def notional_usd(self) -> Decimal | None:
        """qty x fill price: what the hold becomes at this price."""
        return None if self.qty is None else self.qty * self.fill_price

    @property
    def hold_usd(self) -> Decimal | None:
        """The amount the booked position will show (whole cents, rounded up)."""
        return None if self.notional_usd is None else shown_hold(self.notional_usd)

    @property
    def summary(self) -> str | None:
        if self.qty is None or self.notional_usd is None:
            return None
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
        notional, summary = self.notional_usd, self.summary
        # Without a quantity (the amount is outside the size limits) there is nothing it buys.
        sized = (
            {"qty": plain(self.qty), "notional_usd": usd_str(notional), "summary": summary}
            if self.qty is not None and notional is not None and summary is not None
            else {}
        )
        return {
            "symbol": self.symbol,
            "base_asset": self.base_asset,
            "size_usd": usd_str(self.size_usd),
            "price": plain(self.price),
            "step_size": plain(self.rules.step_size),
            "tick_size": plain(self.rules.tick_size),
            "min_notional_usd": usd_str(self.rules.min_notional),
            **sized,
            **({"refusal": refusal_json(self.refusal)} if self.refusal else {}),
        }


def refusal_json(exc: OrderRefused) -> dict[str, Any]:
    smallest = exc.smallest_usd if isinstance(exc, OrderSizeRejected) else None
    return {
        "code": exc.code,
        "message": exc.message,
        **({"smallest_usd": usd_str(smallest)} if smallest is not None else {}),
    }


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
    sells: slippage moves the fill against either), with the refusal the open would get now
    (`refusal`: an amount outside the symbol's size limits, else the preflight's). Raises
    `InvalidOrderInput` for a malformed amount, `VenueNotReady` when there is no price."""
    try:
        requested = parse_size_usd(size_usd)
    except InvalidOrderInput as exc:
        raise amount_in_words(exc) from None
    try:
        adapter = venue or venue_for(bot)
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc
    # The open's own sizing (`size_open`'s two steps), then its preflight, in the open's order.
    rules, price = open_market(adapter, bot.symbol)
    fill_price = adapter.market_fill_price(bot.symbol, buying=side == "long", reference=price)
    qty: Decimal | None = None
    refusal: OrderRefused | None = None
    try:
        qty = open_qty(adapter, rules, price, requested)
        open_preflight(bot, side, requested)  # the open's own checks; reads only
    except OrderRefused as exc:
        refusal = exc
    return OpenQuote(
        symbol=bot.symbol,
        base_asset=base_asset(bot.symbol),
        size_usd=requested,
        price=price,
        fill_price=fill_price,
        rules=rules,
        qty=qty,
        refusal=refusal,
    )
