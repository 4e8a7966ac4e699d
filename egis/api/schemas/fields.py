"""The API's field types. Money is always a decimal string; ids are bounded integers."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, ValidationInfo, WithJsonSchema

from egis.core import inputs
from egis.core.inputs import MAX_ID

# Every value goes through the one input grammar (egis.core.inputs): the API, the pages and the
# CLI accept and refuse exactly the same things. The schema below documents the same rules.


def _name(info: ValidationInfo) -> str:
    return info.field_name or "value"


def _usd(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_usd(value, field=_name(info)), "f")


def _price(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_quantity(value, field=_name(info)), "f")


def _id(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_id(value, field=_name(info))


def _leverage(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_leverage(value, field=_name(info))


def _max_open(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(
        value, field=_name(info), minimum=1, maximum=inputs.MAX_OPEN_POSITIONS_MAX
    )


def _cooldown(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=inputs.COOLDOWN_S_MAX)


def _page(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=PAGE_MAX)


def _page_size(value: Any, info: ValidationInfo) -> int:
    return inputs.parse_int(value, field=_name(info), minimum=1, maximum=PAGE_SIZE_MAX)


def _text(max_length: int, *, multiline: bool = False) -> Any:
    def check(value: Any, info: ValidationInfo) -> str:
        return inputs.parse_text(
            value, field=_name(info), max_length=max_length, multiline=multiline
        )

    return BeforeValidator(check)


PAGE_MAX = 1_000_000
PAGE_SIZE_MAX = 200
_AMOUNT_RULES = (
    "ASCII digits, no sign, spaces, exponent or '_'; a JSON number is read from its literal "
    "text by the same rule (10.5 yes, 1e1 no)."
)

UsdAmount = Annotated[
    str,
    BeforeValidator(_usd),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,{inputs.USD_PLACES}}})?$",
            "maximum": int(inputs.USD_MAX),
            "examples": ["10.00"],
            "description": f"USD amount, at most {inputs.USD_PLACES} decimals and at most "
            f"{inputs.USD_MAX:,}. {_AMOUNT_RULES}",
        }
    ),
]
PriceAmount = Annotated[
    str,
    BeforeValidator(_price),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,{inputs.QTY_PLACES}}})?$",
            "maximum": int(inputs.QTY_MAX),
            "description": f"price, at most {inputs.QTY_PLACES} decimals and at most "
            f"{inputs.QTY_MAX:,}. {_AMOUNT_RULES}",
        }
    ),
]
Id = Annotated[
    int,
    BeforeValidator(_id),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_ID,
            "description": "an integer id (a JSON integer, never a boolean or a fraction)",
        }
    ),
]
Leverage = Annotated[
    int,
    BeforeValidator(_leverage),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": inputs.LEVERAGE_MAX}),
]
MaxOpenPositions = Annotated[
    int,
    BeforeValidator(_max_open),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": inputs.MAX_OPEN_POSITIONS_MAX,
            "description": "risk limit: opens are refused while this many positions are open "
            "(null: off)",
        }
    ),
]
CooldownSeconds = Annotated[
    int,
    BeforeValidator(_cooldown),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": inputs.COOLDOWN_S_MAX,
            "description": "risk limit: seconds an open waits after the bot's last open order "
            "was submitted (null: off)",
        }
    ),
]
PageNo = Annotated[
    int,
    BeforeValidator(_page),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
]
PageSize = Annotated[
    int,
    BeforeValidator(_page_size),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_MAX}),
]


def _pct(value: Any, info: ValidationInfo) -> str:
    return format(inputs.parse_percent(value, field=_name(info)), "f")


Percent = Annotated[
    str,
    BeforeValidator(_pct),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^[0-9]{{1,{inputs.INT_DIGITS}}}(\.[0-9]{{1,2}})?$",
            "examples": ["1.5"],
            "description": f"percent, at most 2 decimals. {_AMOUNT_RULES}",
        }
    ),
]


def _text_schema(max_length: int) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": max_length,
            "description": "text without NUL or control characters",
        }
    )


Name = Annotated[str, _text(inputs.NAME_MAX), _text_schema(inputs.NAME_MAX)]
Symbol = Annotated[str, _text(inputs.SYMBOL_MAX), _text_schema(inputs.SYMBOL_MAX)]
Username = Annotated[str, _text(inputs.USERNAME_MAX), _text_schema(inputs.USERNAME_MAX)]
Reason = Annotated[str, _text(inputs.REASON_MAX, multiline=True), _text_schema(inputs.REASON_MAX)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")
