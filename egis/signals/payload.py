"""A signal's body, read by the input grammar (egis.core.inputs): pure, no database.

Explicit form:  {"action": "open", "side": "long"|"short", "size_usd": "25" | "size_pct": "20"}
                {"action": "close"} or {"action": "close", "side": "long"}
Target form:    {"target": "long"|"short"|"flat", "size_usd" | "size_pct", "prev": "flat"}
Exits (opens):  "take_profit" / "stop_loss": {"pct": "1"} | {"price": "180.5"} | "1%" | "180.5";
                "trailing_stop": {"callback_pct": "1", "activation_price": "182"} (egis.exits.rules)
Common fields:  "id" (the sender's idempotency key), "timestamp" (ISO-8601 or unix seconds or
                milliseconds), "max_lag_s" (default 60), "symbol" ("BINANCE:SOLUSDT.P" style
                prefixes and suffixes are accepted), "secret" (removed before anything is stored).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from egis.core.inputs import (
    InputError,
    JsonNumber,
    parse_int,
    parse_percent,
    parse_text,
    parse_unix_time,
    parse_usd,
)
from egis.core.money import usd_display
from egis.exits.rules import ExitChanges, parse_changes, spec_from_json

SENDER_ID_MAX = 128
DEFAULT_MAX_LAG_S = 60
MAX_LAG_LIMIT_S = 86_400
SIDES = ("long", "short")
TARGETS = ("long", "short", "flat")
KNOWN_FIELDS = frozenset(
    {
        "action",
        "side",
        "size_usd",
        "size_pct",
        "target",
        "prev",
        "id",
        "timestamp",
        "max_lag_s",
        "symbol",
        "comment",
        "take_profit",
        "stop_loss",
        "trailing_stop",
    }
)
_SYMBOL_SUFFIXES = (".PERP", ".P", "PERP")


class SignalMalformed(InputError):
    """A body that is not a signal we can execute; the reason names the field."""


@dataclass(frozen=True)
class SignalAction:
    kind: str  # open | close | target
    side: str = ""  # open: long/short; close: optional side filter
    target: str = ""  # target: long/short/flat
    size_usd: Decimal | None = None
    size_pct: Decimal | None = None
    prev: str = ""
    sender_id: str = ""
    timestamp: datetime | None = None
    max_lag_s: int = DEFAULT_MAX_LAG_S
    symbol: str = ""
    # Exits to set on the position an open makes: kind -> spec JSON (egis.exits.rules).
    exits: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for name in ("side", "target", "prev", "sender_id", "symbol"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.size_usd is not None:
            data["size_usd"] = str(self.size_usd)
        if self.size_pct is not None:
            data["size_pct"] = str(self.size_pct)
        if self.timestamp is not None:
            data["timestamp"] = self.timestamp.isoformat()
        data["max_lag_s"] = self.max_lag_s
        if self.exits:
            data["exits"] = self.exits
        return data

    def exit_changes(self) -> ExitChanges:
        return {kind: spec_from_json(kind, spec) for kind, spec in self.exits.items()}

    @property
    def needs_size(self) -> bool:
        return self.kind == "open" or (self.kind == "target" and self.target in SIDES)

    def summary(self) -> str:
        """A short line for lists: `open long $25.00`, `target short 20%`, `close all`."""
        size = ""
        if self.needs_size:
            size = (
                f" {usd_display(self.size_usd)}"
                if self.size_usd is not None
                else f" {self.size_pct}%"
            )
        if self.kind == "open":
            return f"open {self.side}{size}"
        if self.kind == "close":
            return f"close {self.side or 'all'}"
        return f"target {self.target}{size}"


def action_from_json(data: dict[str, Any]) -> SignalAction:
    """The stored action back as a value (written by `as_json`, so it is trusted)."""
    return SignalAction(
        kind=data["kind"],
        side=data.get("side", ""),
        target=data.get("target", ""),
        size_usd=Decimal(data["size_usd"]) if "size_usd" in data else None,
        size_pct=Decimal(data["size_pct"]) if "size_pct" in data else None,
        prev=data.get("prev", ""),
        sender_id=data.get("sender_id", ""),
        timestamp=datetime.fromisoformat(data["timestamp"]) if "timestamp" in data else None,
        max_lag_s=int(data.get("max_lag_s", DEFAULT_MAX_LAG_S)),
        symbol=data.get("symbol", ""),
        exits=data.get("exits", {}),
    )


def _choice(raw: object, *, field: str, allowed: tuple[str, ...], required: bool) -> str:
    choices = ", ".join(allowed)
    if isinstance(raw, str) and "{{" in raw:
        # What an indicator's alert sends for {{strategy.market_position}}: TradingView fills
        # the strategy placeholders only in a strategy's own alerts.
        raise SignalMalformed(
            f"{field} is {raw[:48]!r}, a TradingView placeholder left unfilled (TradingView "
            f"fills {{{{strategy.…}}}} only in a strategy's alerts): write one of {choices}",
            field=field,
        )
    if isinstance(raw, str) and len(raw) > 16:
        raise SignalMalformed(f"{field} must be one of {choices} (got {raw[:16]!r}…)", field=field)
    text = parse_text(raw, field=field, max_length=16, required=required).lower()
    if text and text not in allowed:
        raise SignalMalformed(
            f"{field} must be one of {', '.join(allowed)} (got {text[:16]!r})", field=field
        )
    return text


def parse_timestamp(raw: object) -> datetime | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.isascii() and raw.isdigit()):
        return parse_unix_time(raw, field="timestamp")
    text = parse_text(raw, field="timestamp", max_length=40)
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SignalMalformed(
            "timestamp must be ISO-8601 (2026-01-31T12:00:00Z) or unix seconds",
            field="timestamp",
        ) from exc
    if when.tzinfo is None:
        raise SignalMalformed("timestamp needs a timezone (e.g. a trailing Z)", field="timestamp")
    return when


def normalise_symbol(raw: object) -> str:
    """`BINANCE:SOLUSDT.P` -> `SOLUSDT`: the exchange prefix and perpetual suffix dropped."""
    text = parse_text(raw, field="symbol", max_length=64, required=False).upper()
    text = text.rsplit(":", 1)[-1]
    for suffix in _SYMBOL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if text and not re.fullmatch(r"[A-Z0-9]{2,32}", text):
        raise SignalMalformed("symbol must be letters and digits, e.g. SOLUSDT", field="symbol")
    return text


def _size(body: dict[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    has_usd = body.get("size_usd") not in (None, "")
    has_pct = body.get("size_pct") not in (None, "")
    if has_usd and has_pct:
        raise SignalMalformed("give size_usd or size_pct, not both", field="size_usd")
    if has_usd:
        return parse_usd(body["size_usd"], field="size_usd"), None
    if has_pct:
        return None, parse_percent(body["size_pct"], field="size_pct")
    raise SignalMalformed("size_usd or size_pct is required to open", field="size_usd")


def _exits(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The exits asked for, read by the exits' grammar, as storable JSON (pure: the trigger
    prices are judged when the open is executed, against its price)."""
    changes = parse_changes(
        take_profit=body.get("take_profit"),
        stop_loss=body.get("stop_loss"),
        trailing_stop=body.get("trailing_stop"),
    )
    return {kind: spec.as_json() for kind, spec in changes.items() if spec is not None}


def sender_id_of(body: dict[str, Any]) -> str:
    raw = body.get("id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    return parse_text(raw, field="id", max_length=SENDER_ID_MAX, required=False)


def _unknown_fields(names: list[str]) -> str:
    """'unknown field "sizee" (did you mean size_usd?)'; up to five named, each with the
    closest known field when one is close (a typo in the alert message)."""
    parts = []
    for name in names[:5]:
        key = name.lower()
        # "sizee" is size_usd's typo rather than side's: fields sharing its first letters first.
        same_start = sorted(f for f in KNOWN_FIELDS if len(key) >= 4 and f.startswith(key[:4]))
        close = difflib.get_close_matches(key, same_start, n=1, cutoff=0) or (
            difflib.get_close_matches(key, sorted(KNOWN_FIELDS), n=1, cutoff=0.6)
        )
        parts.append(f'"{name}"' + (f" (did you mean {close[0]}?)" if close else ""))
    return f"unknown field{'s' if len(names) > 1 else ''} {', '.join(parts)}"


def parse_signal(body: object) -> SignalAction:
    """The body as an instruction, or SignalMalformed naming what is wrong."""
    if not isinstance(body, dict):
        raise SignalMalformed("the body must be a JSON object", field="body")
    unknown = sorted(str(k)[:20] for k in body if k not in KNOWN_FIELDS)
    if unknown:
        raise SignalMalformed(_unknown_fields(unknown), field=unknown[0])
    has_action = body.get("action") not in (None, "")
    has_target = body.get("target") not in (None, "")
    if has_action == has_target:
        raise SignalMalformed('give either "action" (open/close) or "target"', field="action")
    max_lag = body.get("max_lag_s")
    common: dict[str, Any] = {
        "sender_id": sender_id_of(body),
        "timestamp": parse_timestamp(body.get("timestamp")),
        "max_lag_s": DEFAULT_MAX_LAG_S
        if max_lag in (None, "")
        else parse_int(
            str(max_lag) if isinstance(max_lag, JsonNumber) else max_lag,
            field="max_lag_s",
            minimum=1,
            maximum=MAX_LAG_LIMIT_S,
        ),
        "symbol": normalise_symbol(body.get("symbol")),
    }
    exits = _exits(body)
    if has_target:
        target = _choice(body["target"], field="target", allowed=TARGETS, required=True)
        if exits and target == "flat":
            raise SignalMalformed(
                "exits belong to an open: target flat opens nothing", field="take_profit"
            )
        prev = _choice(body.get("prev"), field="prev", allowed=TARGETS, required=False)
        size_usd = size_pct = None
        if target in SIDES:
            size_usd, size_pct = _size(body)
        return SignalAction(
            kind="target",
            target=target,
            prev=prev,
            size_usd=size_usd,
            size_pct=size_pct,
            exits=exits,
            **common,
        )
    action = _choice(body["action"], field="action", allowed=("open", "close"), required=True)
    if body.get("prev") not in (None, ""):
        raise SignalMalformed('"prev" belongs to the target form', field="prev")
    if action == "open":
        side = _choice(body.get("side"), field="side", allowed=SIDES, required=True)
        size_usd, size_pct = _size(body)
        return SignalAction(
            kind="open", side=side, size_usd=size_usd, size_pct=size_pct, exits=exits, **common
        )
    if body.get("size_usd") not in (None, "") or body.get("size_pct") not in (None, ""):
        raise SignalMalformed("close takes no size: it closes whole positions", field="size_usd")
    if exits:
        raise SignalMalformed("exits belong to an open, not a close", field=next(iter(exits)))
    side = _choice(body.get("side"), field="side", allowed=SIDES, required=False)
    return SignalAction(kind="close", side=side, **common)
