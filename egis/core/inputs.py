"""The input grammar: one parser per kind of value, used by every edge (pages, API, CLI).

Whatever a person or a script sends, each parser either returns a clean value or raises
`InputError` (a 422 on the API and pages, exit 1 on the CLI); nothing else escapes. The limits
are defined here once; the README ("Input rules") and the OpenAPI schema quote them.

- Amounts (USD, quantities, prices): ASCII digits, at most `INT_DIGITS` before an optional "."
  and at most `places` after it. No sign, space, exponent, "_" or non-ASCII digit (Arabic-Indic,
  fullwidth, superscript "²"). A JSON number is read from its literal text by the same rule
  (`10.5` yes, `1e1` no).
  USD amounts have 2 decimals and a maximum of `USD_MAX`; quantities and prices 8 decimals and a
  maximum of `QTY_MAX`. The columns (8-decimal scaled 64-bit integers) hold about 9.2e10, so
  every accepted value, and sums of many, fit with room to spare.
- Ids and other whole numbers: a JSON integer or a string of ASCII digits; never a boolean, a
  fraction or an exponent; ids are 1 .. 2**63-1 (what a 64-bit column holds).
- Text: a string without NUL or other control characters (a reason may span lines), trimmed,
  at most the field's maximum length.
- Unix times: a whole number (as above) of seconds, or of milliseconds from `UNIX_MS_FROM` on,
  at most `UNIX_TIME_MAX_MS` (the end of the year 9999, the last a `datetime` holds).
- JSON bodies: UTF-8, at most `MAX_JSON_DEPTH` levels deep; NaN/Infinity are refused as values.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from egis.core.errors import UserFacingError

USD_PLACES = 2
QTY_PLACES = 8  # quantities and prices: the scale every ledger column stores (egis.core.fields)
QUANTUM = Decimal(1).scaleb(-QTY_PLACES)  # 0.00000001: the one 8-decimal quantum
USD_MAX = Decimal("1000000000")  # $1,000,000,000
QTY_MAX = Decimal("1000000000")
INT_DIGITS = 12  # digits before the point, leading zeros included
MAX_ID = 2**63 - 1  # a 64-bit signed column
LEVERAGE_MAX = 125
# A bot's risk limits (egis.ledger.risk): each optional, whole numbers from 1.
MAX_OPEN_POSITIONS_MAX = 10_000
COOLDOWN_S_MAX = 7 * 86_400  # a week

NAME_MAX = 80  # bot name, token name, exchange account label
USERNAME_MAX = 150  # Django's user name column
SYMBOL_MAX = 32
REASON_MAX = 2000  # a resolution reason
PASSWORD_MAX = 1024  # far beyond any real password; bounds the hashing work an attacker can ask

MAX_JSON_DEPTH = 32
MAX_BODY_BYTES = 64 * 1024  # settings.DATA_UPLOAD_MAX_MEMORY_SIZE uses the same figure


class InputError(UserFacingError, ValueError):
    """A value that does not follow the grammar; `field` names what was wrong."""

    code = "invalid_input"
    http_status = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class JsonNumber(str):
    """The literal text of a JSON number with a fraction or exponent ("10.5", "1e1"), or of
    the non-standard NaN / Infinity that Python's encoder writes.

    JSON bodies are decoded with this instead of float, so an amount is judged on exactly what
    was sent, by the same grammar as a string, and no float ever exists.
    """


def _amount_pattern(places: int) -> re.Pattern[str]:
    return re.compile(rf"[0-9]{{1,{INT_DIGITS}}}(?:\.[0-9]{{1,{places}}})?")


_PATTERNS = {USD_PLACES: _amount_pattern(USD_PLACES), QTY_PLACES: _amount_pattern(QTY_PLACES)}


def _why_not_amount(text: str, field: str, places: int) -> str:
    """A precise reason for a refused amount: the person learns what to change."""
    if text != text.strip() or any(c.isspace() for c in text):
        return f"{field} must not contain spaces or line breaks"
    if text[:1] in "+-":
        return f"{field} must be a number without a sign"
    if any(c.isdigit() and not ("0" <= c <= "9") for c in text) or any(
        unicodedata.category(c) == "No" for c in text
    ):
        return f"{field} must be written with the digits 0-9"
    if "," in text and all(c in "0123456789.," for c in text):
        # "1,000.50" as the pages print it, or "1,5" for 1.5: which one cannot be known.
        return f"{field} must be written without commas (e.g. 1000.50, not 1,000.50)"
    if "e" in text.lower() and all(c in "0123456789.eE+-" for c in text):
        return f"{field} must be written without an exponent (e.g. 100000, not 1e5)"
    whole, _, frac = text.partition(".")
    if whole.isdigit() and whole.isascii() and len(whole) > INT_DIGITS:
        return f"{field} has more than {INT_DIGITS} digits before the point"
    if frac and frac.isascii() and frac.isdigit() and len(frac) > places:
        return f"{field} has more than {places} decimal places"
    if len(text) > INT_DIGITS + places + 1:
        return f"{field} is too long for an amount"
    return f"{field} must be a decimal number such as 10.50"


def parse_amount(
    raw: object,
    *,
    field: str,
    places: int = USD_PLACES,
    maximum: Decimal = USD_MAX,
    allow_zero: bool = False,
) -> Decimal:
    """An amount by the grammar above. `Decimal` values from our own code are accepted if they
    would print as a valid amount; floats never are."""
    if raw is None or raw == "":
        raise InputError(f"{field} is required", field=field)
    if isinstance(raw, (bool, float)):
        raise InputError(f'{field} must be a decimal string such as "10.50"', field=field)
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, Decimal):
        # A stored value (8-place column) carries trailing zeros that no one typed: 100.00000000
        # is the amount 100, judged as such (an edit that keeps the budget must not be refused).
        text = format(raw, "f") if raw.is_finite() else "NaN"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    elif isinstance(raw, str):
        text = raw
    else:
        raise InputError(f"{field} must be a decimal number such as 10.50", field=field)
    pattern = _PATTERNS.get(places) or _amount_pattern(places)
    if len(text) > INT_DIGITS + places + 1 or not pattern.fullmatch(text):
        raise InputError(_why_not_amount(text, field, places), field=field)
    value = Decimal(text)
    if value > maximum:
        raise InputError(f"{field} must be at most {maximum:,}", field=field)
    if value == 0 and not allow_zero:
        raise InputError(f"{field} must be greater than zero", field=field)
    return value


def parse_usd(raw: object, *, field: str, allow_zero: bool = False) -> Decimal:
    return parse_amount(raw, field=field, allow_zero=allow_zero)


PERCENT_MAX = Decimal("100")


def parse_percent(raw: object, *, field: str) -> Decimal:
    """A share in percent: an amount with at most 2 decimals, above 0 and at most 100."""
    return parse_amount(raw, field=field, places=USD_PLACES, maximum=PERCENT_MAX)


def parse_quantity(raw: object, *, field: str, allow_zero: bool = False) -> Decimal:
    """A quantity or a price: 8 decimals, at most QTY_MAX."""
    return parse_amount(raw, field=field, places=QTY_PLACES, maximum=QTY_MAX, allow_zero=allow_zero)


_INT_RE = re.compile(r"[0-9]{1,19}")


def parse_int(raw: object, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number: a JSON integer or a string of ASCII digits, within [minimum, maximum]."""
    if raw is None or raw == "":
        raise InputError(f"{field} is required", field=field)
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or isinstance(raw, JsonNumber):
        raise InputError(f"{field} must be a whole number", field=field)
    if isinstance(raw, int):
        value = raw
    elif _INT_RE.fullmatch(raw):
        value = int(raw)
    else:
        raise InputError(f"{field} must be a whole number written with the digits 0-9", field=field)
    if not minimum <= value <= maximum:
        raise InputError(f"{field} must be between {minimum} and {maximum}", field=field)
    return value


def parse_id(raw: object, *, field: str) -> int:
    return parse_int(raw, field=field, minimum=1, maximum=MAX_ID)


def parse_leverage(raw: object, *, field: str = "leverage") -> int:
    return parse_int(raw, field=field, minimum=1, maximum=LEVERAGE_MAX)


UNIX_MS_FROM = 100_000_000_000  # a unix time from this on is in milliseconds (year 5138 in s)
UNIX_TIME_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z


def parse_unix_time(raw: object, *, field: str) -> datetime:
    """A unix time, in seconds or (from UNIX_MS_FROM on) milliseconds, as a UTC datetime. A
    time past the year 9999 is refused here: `datetime.fromtimestamp` cannot hold it."""
    value = parse_int(raw, field=field, minimum=0, maximum=MAX_ID)
    if value > UNIX_TIME_MAX_MS:
        raise InputError(
            f"{field} is after the year 9999: give unix seconds or milliseconds", field=field
        )
    seconds = value // 1000 if value >= UNIX_MS_FROM else value
    return datetime.fromtimestamp(seconds, tz=UTC)


_FLAG_WORDS = {"true": True, "false": False}


def parse_flag(raw: object, *, field: str) -> bool:
    """A yes/no value: JSON true/false, or the words "true"/"false" (a form). Anything else,
    including a missing value, 1/0 and "yes", is refused: a flag is never guessed."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw in _FLAG_WORDS:
        return _FLAG_WORDS[raw]
    raise InputError(f"{field} must be true or false", field=field)


CHOICE_MAX_LENGTH = 32


def parse_choice(raw: object, *, field: str, choices: tuple[str, ...]) -> str:
    """One of a few fixed words; anything else names the choices."""
    if isinstance(raw, str) and len(raw) <= CHOICE_MAX_LENGTH and raw in choices:
        return raw
    raise InputError(f"{field} must be one of: {', '.join(choices)}", field=field)


def is_blank(raw: object) -> bool:
    """An optional value left out: None (JSON null, an absent flag) or an empty string (an empty
    form field). Whitespace is not blank: it is refused by the grammar like any stray space."""
    return raw is None or raw == ""


_LINE_BREAKS = frozenset("\n\r\t")


def parse_text(
    raw: object,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trimmed text without NUL or control characters (tab and line breaks only if multiline),
    and without lone surrogates, at most `max_length` characters."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or isinstance(raw, JsonNumber):
        raise InputError(f"{field} must be text", field=field)
    text = raw.strip()
    if not text:
        if required:
            raise InputError(f"{field} is required", field=field)
        return ""
    if len(text) > max_length:
        raise InputError(f"{field} has at most {max_length} characters", field=field)
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            raise InputError(f"{field} must be valid Unicode text", field=field)
        if category == "Cc" and not (multiline and char in _LINE_BREAKS):
            raise InputError(f"{field} must not contain control characters", field=field)
    return text


def parse_password(raw: object, *, field: str = "password") -> str:
    """A password as typed: never trimmed (spaces count), but text the hasher can encode: no
    lone surrogates, no NUL or control characters, at most PASSWORD_MAX characters."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str) or isinstance(raw, JsonNumber):
        raise InputError(f"{field} must be text", field=field)
    if len(raw) > PASSWORD_MAX:
        raise InputError(f"{field} has at most {PASSWORD_MAX} characters", field=field)
    for char in raw:
        category = unicodedata.category(char)
        if category == "Cs":
            raise InputError(f"{field} must be valid Unicode text", field=field)
        if category == "Cc":
            raise InputError(f"{field} must not contain control characters", field=field)
    return raw


def parse_name(raw: object, *, field: str = "name", required: bool = True) -> str:
    """A bot name, token name or account label: one line, at most NAME_MAX characters."""
    return parse_text(raw, field=field, max_length=NAME_MAX, required=required)


def parse_reason(raw: object, *, field: str = "reason") -> str:
    return parse_text(raw, field=field, max_length=REASON_MAX, multiline=True)


# --- JSON bodies ----------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def _too_deep(body: bytes) -> bool:
    # Counted on the text, before decoding: the decoder itself recurses once per level.
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False


class MalformedBody(InputError):
    """A body that is not JSON we read: malformed, too deep, not UTF-8 (400 at the edges)."""

    http_status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="body")


class DuplicateField(MalformedBody):
    """An object that names a field twice (`{"action": "open", "action": "close"}`): JSON
    decoders keep the last one silently, so what was meant cannot be known. Refused."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the field {name[:40]!r} appears twice in one object")
        self.name = name


def _no_duplicate_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        if name in out:
            raise DuplicateField(name)
        out[name] = value
    return out


def load_json(body: bytes | str) -> Any:
    """Decode a JSON body. Numbers with a fraction or exponent stay as their literal text
    (`JsonNumber`); malformed, too deep or non-UTF-8 input, or an object naming a field twice
    (DuplicateField), raises MalformedBody."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte order mark some editors put first
    if _too_deep(raw):
        raise MalformedBody(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        text = raw.decode("utf-8")
        return json.loads(
            text,
            parse_float=JsonNumber,
            parse_constant=JsonNumber,
            object_pairs_hook=_no_duplicate_fields,
        )
    except DuplicateField:
        raise
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError too
        raise MalformedBody("the body is not valid JSON") from exc


def nul_replaced(value: Any) -> tuple[Any, bool]:
    """A decoded JSON value with every NUL in its strings and keys replaced by U+FFFD, and
    whether there was one. Text fields refuse a NUL (parse_text); a body kept as it came (a
    signal's) must not hold one: PostgreSQL stores none, in text or jsonb."""
    if isinstance(value, str):
        return (value.replace("\x00", "\ufffd"), True) if "\x00" in value else (value, False)
    if isinstance(value, dict):
        out, found = {}, False
        for key, item in value.items():
            new_key, in_key = nul_replaced(key)
            out[new_key], in_item = nul_replaced(item)
            found = found or in_key or in_item
        return (out, True) if found else (value, False)
    if isinstance(value, list):
        items = [nul_replaced(item) for item in value]
        if any(found for _, found in items):
            return [item for item, _ in items], True
        return value, False
    return value, False
