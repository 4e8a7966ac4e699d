"""Why a bot is halted, in a trader's words, from the reason stored on it.

`Bot.halted_reason` is also read by code (a drift halt starts with DRIFT_HALT_PREFIX, which
releasing drift halts looks for), so it keeps its stored form; this only words it for pages and
notices. A reason of a form not known here (an older row, a new writer) is shown as stored.
"""

from __future__ import annotations

import re

from egis.core.figures import base_asset

# A bot halted by drift says so first; releasing drift halts looks for it (egis.reconcile.drift,
# through egis.ledger.incidents). Defined here, with its wording, so this module imports nothing
# of the ledger (notifications word halts too).
DRIFT_HALT_PREFIX = "drift: "

# egis.signals.processing: "drift: missed signal: the sender believed short, the bot is long
# (incident #1)".
_MISSED = re.compile(
    r"missed signal: the sender believed (?P<prev>\w+), the bot is (?P<actual>\w+)"
    r" \(incident #(?P<incident>\d+)\)$"
)
# egis.reconcile.drift (DriftItem.describe): "bot #3 BNBUSDT: ledger 0.04 vs venue none
# (incident #2)".
_VENUE = re.compile(
    r"(?:bot|account) #\d+ (?P<symbol>[A-Z0-9]+): ledger (?P<ledger>[\d.]+) vs venue "
    r"(?P<venue>[\d.]+|none) \(incident #(?P<incident>\d+)\)$"
)
_ANY_INCIDENT = re.compile(r"^(?P<what>.*) \(incident #(?P<incident>\d+)\)$")


def _qty(text: str, symbol: str) -> str:
    return "nothing" if text in ("none", "0") else f"{text} {base_asset(symbol)}"


def halt_words(reason: str) -> str:
    """ "A signal was missed (the sender thought the bot was long; it was flat). Opens resume
    once an admin resolves incident #12." for "drift: missed signal: the sender believed long,
    the bot is flat (incident #12)"; "" for a bot that is not halted."""
    if not reason.startswith(DRIFT_HALT_PREFIX):
        return reason if not reason or reason.endswith(".") else f"{reason}."
    what = reason[len(DRIFT_HALT_PREFIX) :]
    missed = _MISSED.match(what)
    if missed:
        return (
            f"A signal was missed (the sender thought the bot was {missed['prev']}; it was "
            f"{missed['actual']}). Opens resume once an admin resolves incident "
            f"#{missed['incident']}."
        )
    venue = _VENUE.match(what)
    if venue:
        symbol = venue["symbol"]
        return (
            f"The exchange and Egis disagree on {symbol}: Egis holds "
            f"{_qty(venue['ledger'], symbol)}, the exchange {_qty(venue['venue'], symbol)}. "
            f"Opens resume once an admin resolves incident #{venue['incident']}."
        )
    other = _ANY_INCIDENT.match(what)
    if other:
        return (
            f"Egis found a difference it cannot explain ({other['what']}). "
            f"Opens resume once an admin resolves incident #{other['incident']}."
        )
    return f"Egis found a difference it cannot explain ({what})."
