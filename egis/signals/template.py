"""The TradingView alert message a bot's page (and the webhook's create/rotate answers) offers to
paste, with a `size_usd` this bot's venue accepts.

A fixed "25" was below a BTCUSDT bot's smallest order (0.002 BTC at $60,000 is $120: Binance's
minimum notional there is $100 and the lot step 0.001 BTC), so a newcomer's first alert was
refused. The size is now the smallest order the venue accepts for the bot's symbol at the last
stored price (egis.venues.rules.smallest_usd, the open's own rule), with room for the price to
move before the alert fires (TEMPLATE_HEADROOM), rounded up to a friendly figure, and never above
the bot's budget. The page reads only what is stored: no network call (the rules the venue's
copy holds, else the published copy the paper venue keeps; the price the worker stored).
"""

from __future__ import annotations

import json
from decimal import ROUND_CEILING, Decimal

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.money import plain
from egis.venues.base import SymbolRules
from egis.venues.binance.environments import venue_key_for
from egis.venues.models import SymbolFilter
from egis.venues.prices.quotes import quotes_of
from egis.venues.rules import smallest_usd

# The template's fields: placeholders TradingView fills in. `id` joins the order id with the
# time, since a Pine strategy reuses its order ids ("Long", "Short") for every trade.
TEMPLATE_FIELDS: dict[str, str] = {
    "secret": "",  # filled with the hook's secret where it is shown once; a placeholder elsewhere
    "target": "{{strategy.market_position}}",
    "prev": "{{strategy.prev_market_position}}",
    "size_usd": "25",  # the shape only; a bot's template says its own size (template_size_usd)
    "id": "{{ticker}}-{{strategy.order.id}}-{{timenow}}",
    "timestamp": "{{timenow}}",
    "symbol": "{{ticker}}",
}
SECRET_PLACEHOLDER = "YOUR-SECRET"  # noqa: S105 (a placeholder)

# A price 20% higher than the stored one must still buy the venue's least quantity: an alert
# fires later than the page was read. It also covers the open's sizing buffer (bps).
TEMPLATE_HEADROOM = Decimal("1.2")
# Nothing known about the symbol (no stored rules): Binance's largest common minimum notional.
UNKNOWN_RULES_SIZE = Decimal(100)


def friendly_up(amount: Decimal) -> Decimal:
    """Rounded up to a figure a person would type: whole dollars below $10, then steps of half
    the amount's power of ten ($24.65 -> $25, $144.07 -> $150, $1,234 -> $1,500)."""
    if amount <= 1:
        return Decimal(1)
    step = max(Decimal(1), Decimal(10) ** amount.adjusted() / 2)
    return ((amount / step).to_integral_value(rounding=ROUND_CEILING) * step).quantize(Decimal(1))


def stored_rules(bot: Bot) -> SymbolRules | None:
    """The bot's venue's stored rules for its symbol; for a Binance bot whose environment's copy
    is not fetched yet, the published copy the paper venue keeps. None when neither is known."""
    keys = ["paper"]
    if bot.venue == Venue.BINANCE_FUTURES and bot.exchange_account is not None:
        keys.insert(0, venue_key_for(bot.exchange_account))
    rows = {
        r.venue_key: r for r in SymbolFilter.objects.filter(venue_key__in=keys, symbol=bot.symbol)
    }
    row = next((rows[k] for k in keys if k in rows), None)
    if row is None:
        return None
    return row.rules()


def template_size_usd(bot: Bot) -> Decimal:
    """The size the bot's template suggests (see the module doc)."""
    rules = stored_rules(bot)
    if rules is None:
        least = UNKNOWN_RULES_SIZE
    else:
        quote = quotes_of([bot.symbol]).get(bot.symbol)
        # Without a price only the minimum notional is known (the least quantity's worth is not).
        least = (
            smallest_usd(quote.price, rules) if quote is not None else rules.min_notional
        ) * TEMPLATE_HEADROOM
    return min(friendly_up(least), bot.initial_budget_usd)


def tradingview_template(
    secret: str = SECRET_PLACEHOLDER, *, size_usd: Decimal | None = None
) -> str:
    """The alert message as pasted: `size_usd` a bot's (template_size_usd), or the shape's."""
    fields = {**TEMPLATE_FIELDS, "secret": secret}
    if size_usd is not None:
        fields["size_usd"] = plain(size_usd)
    return json.dumps(fields, indent=2)


def bot_tradingview_template(bot: Bot, secret: str = SECRET_PLACEHOLDER) -> str:
    return tradingview_template(secret, size_usd=template_size_usd(bot))
