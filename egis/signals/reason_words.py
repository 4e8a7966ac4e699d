"""A signal's stored reason in a trader's words, with a machine code next to it.

The stored `Signal.reason` keeps its form (the CLI's `--json`, scripts and tests match its
prefix: "malformed: ", "stale: ", "wrong symbol: "...); pages, the API and the webhook's answer
show `reason_words` of it and give `reason_code` beside it. A reason of a form not known here
(an older row, a new writer) is shown as stored, first letter capitalised; it never fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from egis.bots.halt_words import halt_words
from egis.signals.models import Signal


@dataclass(frozen=True)
class Worded:
    code: str  # "malformed", "stale", "wrong_symbol", ... ("" when none)
    words: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_STALE = re.compile(r"^sent (?P<age>\d+) s ago, max_lag_s is (?P<lag>\d+)$")
_FUTURE = re.compile(r"^timestamp is (?P<ahead>\d+) s in the future$")
_SYMBOL = re.compile(r"^(?P<sent>\S+) is not this bot's (?P<bot>\S+)$")
_DRIFT = re.compile(
    r"^the sender believed (?P<prev>\w+), the bot is (?P<actual>\w+); "
    r"opens (?:stay )?halted.*incident #(?P<incident>\d+)"
)
_NETTING = re.compile(
    r"^a (?P<side>long|short) position \(#(?P<pid>\d+)\) is open; open (?P<new>\w+)"
)


def _span(seconds: str) -> str:
    """ "75 s", "12 min", "5 h", "2,522 days": a duration a person reads at a glance (a
    timestamp sent in the wrong unit is decades off; its seconds say nothing)."""
    n = int(seconds)
    for unit, size in (("days", 86_400), ("h", 3_600), ("min", 60)):
        if n >= 2 * size:
            return f"{n // size:,} {unit}"
    return f"{n:,} s"


def _stale(rest: str) -> str:
    m = _STALE.match(rest)
    if not m:
        return f"Too old: {rest}"
    return (
        f"Too old: sent {_span(m['age'])} ago; signals older than {_span(m['lag'])} are not traded"
    )


def _symbol(rest: str) -> str:
    m = _SYMBOL.match(rest)
    if not m:
        return f"Wrong symbol: {rest}"
    return f"Wrong symbol: the signal is for {m['sent']}; this bot trades {m['bot']}"


def _drift(rest: str) -> str:
    m = _DRIFT.match(rest)
    if not m:
        return f"A signal was missed: {rest}"
    return (
        f"A signal was missed (the sender thought the bot was {m['prev']}; it was "
        f"{m['actual']}). New opens are halted until incident #{m['incident']} "
        "is resolved."
    )


def _netting(rest: str) -> str:
    m = _NETTING.match(rest)
    if not m:
        return f"Not traded: {rest}"
    return (
        f"Not traded: a {m['side']} position (#{m['pid']}) is open, and an open {m['new']} "
        'would net against it. Send a target (e.g. "target": "short") to reverse.'
    )


def _future(rest: str) -> str:
    m = _FUTURE.match(rest)
    ahead = _span(m["ahead"]) if m else "?"
    return f"Not traded: its time is {ahead} ahead of this server's clock"


# prefix -> (code, wording of what follows it)
_PREFIXES: list[tuple[str, str, Callable[[str], str]]] = [
    ("malformed: ", "malformed", lambda rest: f"Not understood: {rest}"),
    ("stale: ", "stale", _stale),
    ("wrong symbol: ", "wrong_symbol", _symbol),
    ("signal drift: ", "signal_drift", _drift),
    ("netting conflict: ", "netting_conflict", _netting),
    (
        "bot halted for new opens: ",
        "bot_halted",
        lambda rest: f"Not traded: the bot is halted for new opens. {halt_words(rest)}",
    ),
    ("timestamp is ", "future", lambda rest: _future("timestamp is " + rest)),
]


# Refusals of one fixed form, already in a trader's words: their code, the words as stored.
_FIXED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^nothing open to close( on the (long|short) side)?$"), "nothing_to_close"),
    (re.compile(r"^signals are switched off for this bot$"), "signals_off"),
    (re.compile(r"^the bot's webhook was revoked$"), "hook_revoked"),
    (re.compile(r"^position #\d+ is (already closing|still opening)"), "position_busy"),
    (re.compile(r"^bot #\d+ is inactive$"), "bot_inactive"),
    (re.compile(r"^bot deleted$"), "bot_deleted"),
]


def reason_worded(reason: str) -> Worded:
    """ "stale: sent 75 s ago, max_lag_s is 60" -> ("stale", "Too old: sent 75 s ago; signals
    older than 60 s are not traded")."""
    if not reason:
        return Worded("", "")
    if reason.startswith("partly: ") and "; then " in reason:
        # A target whose closes filled and whose open was refused: what traded, then the
        # refusal in its own words (egis.signals.processing._refused).
        done, refusal = reason[len("partly: ") :].rsplit("; then ", 1)
        refused = reason_worded(refusal)
        then = refused.words[:1].lower() + refused.words[1:]
        return Worded(refused.code, f"Partly done ({done}). Then {then}")
    for prefix, code, word in _PREFIXES:
        if reason.startswith(prefix):
            rest = reason[len(prefix) :]
            return Worded(code, word(rest))
    for pattern, code in _FIXED:
        if pattern.match(reason):
            return Worded(code, _cap(reason))
    return Worded("", _cap(reason))


def reason_code(reason: str, *, refused_with: Exception | None = None) -> str:
    """The code stored with a reason: the refusing error's own (`OrderRefused.code`: a budget
    or risk limit, "not_enough_budget", "max_open_positions"...) when there is one, else the
    code of the reason's known form."""
    code = getattr(refused_with, "code", "")
    return code if isinstance(code, str) and code else reason_worded(reason).code


def signal_reason(signal: Signal) -> Worded:
    """A signal's reason in words, with its stored code (rows older than the stored code: the
    code of the reason's known form)."""
    worded = reason_worded(signal.reason)
    return Worded(signal.reason_code, worded.words) if signal.reason_code else worded
