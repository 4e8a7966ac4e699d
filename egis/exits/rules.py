"""Exit rules as values: what a person asked for (read by the input grammar), and the trigger
prices it means for a position. Pure: no database, no venue.

Input (API objects; the CLI and the forms write the same thing as text):
  take_profit / stop_loss:  {"price": "180.50"} or {"pct": "1.5"}   (text: "180.50" or "1.5%")
  trailing_stop:            {"callback_pct": "1", "activation_price": "182"}  (activation optional)

A percentage is measured from the entry price: a long's take-profit at +pct, its stop-loss at
-pct (the reverse for a short). Prices must sit on the symbol's tick; triggers computed from a
percentage are rounded to the nearest tick. A long's stop must be below the current price and
its take-profit above it (the reverse for a short); a trailing stop's activation price must be
beyond the current price in the position's favour (Binance refuses one that would trigger
immediately).

Refusals speak the words of the forms ("Take-profit %: must be at least 0.01"): a trader reads
them on the bot page, the CLI prints them. `InvalidExit.field` keeps the API's machine name
("take_profit.pct") for programs and for the page to put the message next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from egis.core.figures import price_text
from egis.core.inputs import InputError, JsonNumber, parse_amount, parse_quantity
from egis.core.money import plain
from egis.exits.models import ExitDirection, ExitKind

PCT_MAX = Decimal("99.99")  # a move of 100 % or more has no price on the losing side
CALLBACK_MIN = Decimal("0.1")  # Binance's callbackRate range for TRAILING_STOP_MARKET
CALLBACK_MAX = Decimal("10")
HUNDRED = Decimal(100)
EXIT_KINDS = ("take_profit", "stop_loss", "trailing_stop")


class InvalidExit(InputError):
    """An exit that cannot be set as asked; `field` names the part ("stop_loss.price"), the
    message says it in the form's words ("Stop-loss price: ...")."""


# What the forms call each part (the Open form, the Edit exits sheet, the CLI's flags).
FIELD_LABELS = {
    "take_profit": "Take-profit",
    "take_profit.price": "Take-profit price",
    "take_profit.pct": "Take-profit %",
    "stop_loss": "Stop-loss",
    "stop_loss.price": "Stop-loss price",
    "stop_loss.pct": "Stop-loss %",
    "trailing_stop": "Trailing stop",
    "trailing_stop.callback_pct": "Trailing stop %",
    "trailing_stop.activation_price": "Activation price",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def _refusal(field: str, text: str) -> InvalidExit:
    """ "Take-profit %: must be ..." for the part `field`; `text` follows the label."""
    return InvalidExit(f"{field_label(field)}: {text}", field=field)


def _worded(exc: InputError) -> InvalidExit:
    """The input grammar's refusal ("take_profit.pct must be ...") in the form's words."""
    text = exc.message.removeprefix(exc.field).lstrip()
    return _refusal(exc.field, text)


def _amount(raw: object, *, field: str, places: int, maximum: Decimal) -> Decimal:
    try:
        return parse_amount(raw, field=field, places=places, maximum=maximum)
    except InputError as exc:
        raise _worded(exc) from None


def _price(raw: object, *, field: str) -> Decimal:
    try:
        return parse_quantity(raw, field=field)
    except InputError as exc:
        raise _worded(exc) from None


@dataclass(frozen=True)
class LevelSpec:
    """A take-profit or stop-loss: an absolute price or a percentage from the entry."""

    price: Decimal | None = None
    pct: Decimal | None = None

    def as_json(self) -> dict[str, str]:
        if self.price is not None:
            return {"price": plain(self.price)}
        assert self.pct is not None
        return {"pct": plain(self.pct)}


@dataclass(frozen=True)
class TrailingSpec:
    callback_pct: Decimal
    activation_price: Decimal | None = None

    def as_json(self) -> dict[str, str]:
        out = {"callback_pct": plain(self.callback_pct)}
        if self.activation_price is not None:
            out["activation_price"] = plain(self.activation_price)
        return out


Spec = LevelSpec | TrailingSpec
# kind -> what to set, or None to clear that kind. Kinds left out are not changed.
ExitChanges = dict[str, Spec | None]


def changes_as_json(changes: ExitChanges) -> dict[str, dict[str, str]]:
    """The kinds an open asks to set, as stored with its order (`Order.exits_asked`)."""
    return {kind: spec.as_json() for kind, spec in changes.items() if spec is not None}


def changes_from_json(data: dict[str, Any]) -> ExitChanges:
    """`changes_as_json` read back (written by it, so trusted)."""
    return {kind: spec_from_json(kind, spec) for kind, spec in data.items()}


def _pct(raw: object, *, field: str, minimum: Decimal, maximum: Decimal) -> Decimal:
    value = _amount(raw, field=field, places=2, maximum=maximum)
    if value < minimum:
        raise _refusal(field, f"must be at least {plain(minimum)}")
    return value


def parse_level(raw: object, *, field: str) -> LevelSpec:
    """`{"price": X}`, `{"pct": Y}`, or text "X" / "Y%" (CLI, forms); a whole number is a price."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = {"price": raw}
    if isinstance(raw, str) and not isinstance(raw, JsonNumber):
        text = raw.strip()
        raw = {"pct": text[:-1]} if text.endswith("%") else {"price": text}
    if not isinstance(raw, dict):
        raise _refusal(field, 'a price ("180.50") or a percentage ("1.5%")')
    unknown = sorted(str(k)[:20] for k in raw if k not in ("price", "pct"))
    if unknown:
        raise _refusal(field, f"give a price or a percentage, not {', '.join(unknown[:3])}")
    has_price = raw.get("price") not in (None, "")
    has_pct = raw.get("pct") not in (None, "")
    if has_price == has_pct:
        raise _refusal(field, "give either a price or a percentage, not both")
    if has_price:
        return LevelSpec(price=_price(raw["price"], field=f"{field}.price"))
    pct = _pct(raw["pct"], field=f"{field}.pct", minimum=Decimal("0.01"), maximum=PCT_MAX)
    return LevelSpec(pct=pct)


def parse_trailing(raw: object, *, field: str = "trailing_stop") -> TrailingSpec:
    """`{"callback_pct": X, "activation_price": Y?}`, or text "X" (the callback in %)."""
    if isinstance(raw, str) and not isinstance(raw, JsonNumber):
        raw = {"callback_pct": raw.strip().removesuffix("%")}
    if not isinstance(raw, dict):
        raise _refusal(field, "a callback in % (e.g. 1), with an optional activation price")
    unknown = sorted(str(k)[:20] for k in raw if k not in ("callback_pct", "activation_price"))
    if unknown:
        raise _refusal(field, f"unknown part(s): {', '.join(unknown[:3])}")
    callback = _pct(
        raw.get("callback_pct"),
        field=f"{field}.callback_pct",
        minimum=CALLBACK_MIN,
        maximum=CALLBACK_MAX,
    )
    activation = raw.get("activation_price")
    return TrailingSpec(
        callback_pct=callback,
        activation_price=None
        if activation in (None, "")
        else _price(activation, field=f"{field}.activation_price"),
    )


def parse_changes(
    *, take_profit: object = None, stop_loss: object = None, trailing_stop: object = None
) -> ExitChanges:
    """The exits given (None or "" means "not given"), parsed; nothing is cleared."""
    changes: ExitChanges = {}
    if take_profit not in (None, ""):
        changes[ExitKind.TAKE_PROFIT] = parse_level(take_profit, field="take_profit")
    if stop_loss not in (None, ""):
        changes[ExitKind.STOP_LOSS] = parse_level(stop_loss, field="stop_loss")
    if trailing_stop not in (None, ""):
        changes[ExitKind.TRAILING_STOP] = parse_trailing(trailing_stop)
    return changes


def parse_body(body: Any) -> ExitChanges:
    """A PUT body: the exits the position should have. A kind left out or null is cleared."""
    if not isinstance(body, dict):
        raise InvalidExit("the body must be a JSON object", field="body")
    allowed = (ExitKind.TAKE_PROFIT, ExitKind.STOP_LOSS, ExitKind.TRAILING_STOP)
    unknown = sorted(str(k)[:20] for k in body if k not in allowed)
    if unknown:
        raise InvalidExit(f"unknown field(s): {', '.join(unknown[:3])}", field=unknown[0])
    given = parse_changes(
        take_profit=body.get("take_profit"),
        stop_loss=body.get("stop_loss"),
        trailing_stop=body.get("trailing_stop"),
    )
    return {kind: given.get(kind) for kind in allowed}


def direction_of(kind: str, side: str) -> str:
    """Which way the price must cross for the exit to fire."""
    long = side == "long"
    if kind == ExitKind.TAKE_PROFIT:
        return ExitDirection.RISES if long else ExitDirection.FALLS
    return ExitDirection.FALLS if long else ExitDirection.RISES


def to_tick(value: Decimal, tick: Decimal) -> Decimal:
    """The nearest multiple of the tick (half to even)."""
    units = (value / tick).to_integral_value(rounding=ROUND_HALF_EVEN)
    return (units * tick).quantize(tick)


def _check_tick(price: Decimal, tick: Decimal, field: str) -> None:
    if price != to_tick(price, tick):
        raise _refusal(
            field, f"{plain(price)} is not a multiple of the symbol's tick {plain(tick)}"
        )


def level_trigger(
    kind: str, spec: LevelSpec, *, side: str, entry: Decimal, tick: Decimal
) -> Decimal:
    """The trigger price of a take-profit or stop-loss for a position entered at `entry`."""
    if spec.price is not None:
        _check_tick(spec.price, tick, f"{kind}.price")
        return spec.price
    assert spec.pct is not None
    up = (kind == ExitKind.TAKE_PROFIT) == (side == "long")
    factor = 1 + spec.pct / HUNDRED if up else 1 - spec.pct / HUNDRED
    trigger = to_tick(entry * factor, tick)
    if trigger <= 0:
        raise _refusal(f"{kind}.pct", "puts the trigger at or below zero")
    return trigger


def trailing_trigger(
    extreme: Decimal, callback_pct: Decimal, *, side: str, tick: Decimal
) -> Decimal:
    """A trailing stop's trigger for the best price seen: callback % behind it."""
    if side == "long":
        return max(to_tick(extreme * (1 - callback_pct / HUNDRED), tick), tick)
    return to_tick(extreme * (1 + callback_pct / HUNDRED), tick)


def check_side_of_price(kind: str, trigger: Decimal, *, side: str, current: Decimal) -> None:
    """A long's stop below the current price and take-profit above it; reverse for a short."""
    rises = direction_of(kind, side) == ExitDirection.RISES
    if rises and trigger <= current:
        where = "above"
    elif not rises and trigger >= current:
        where = "below"
    else:
        return
    label = ExitKind(kind).label.lower()
    raise InvalidExit(
        f"A {side}'s {label} must be {where} the current price {price_text(current, tick=None)} "
        f"(asked {price_text(trigger, tick=None)})",
        field=f"{kind}.price",
    )


def check_activation(spec: TrailingSpec, *, side: str, current: Decimal, tick: Decimal) -> None:
    if spec.activation_price is None:
        return
    field = "trailing_stop.activation_price"
    _check_tick(spec.activation_price, tick, field)
    if side == "long" and spec.activation_price <= current:
        raise InvalidExit(
            f"A long's trailing stop activates above the current price {plain(current)}",
            field=field,
        )
    if side == "short" and spec.activation_price >= current:
        raise InvalidExit(
            f"A short's trailing stop activates below the current price {plain(current)}",
            field=field,
        )


def spec_from_json(kind: str, data: dict[str, Any]) -> Spec:
    """A stored `Exit.spec` back as a value (written by `as_json`, so it is trusted)."""
    if kind == ExitKind.TRAILING_STOP:
        activation = data.get("activation_price")
        return TrailingSpec(
            Decimal(data["callback_pct"]), Decimal(activation) if activation else None
        )
    return LevelSpec(
        price=Decimal(data["price"]) if "price" in data else None,
        pct=Decimal(data["pct"]) if "pct" in data else None,
    )
