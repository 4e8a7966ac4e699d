"""Which adapter serves a bot."""

from __future__ import annotations

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.venues.base import VenueAdapter, VenueConfigError


def venue_for(bot: Bot) -> VenueAdapter:
    if bot.venue == Venue.PAPER:
        from egis.venues.paper.venue import PaperVenue

        return PaperVenue(bot)
    if bot.venue == Venue.BINANCE_FUTURES:
        from egis.venues.binance.venue import BinanceVenue

        return BinanceVenue(bot)
    raise VenueConfigError(f"Unknown venue {bot.venue!r}")
