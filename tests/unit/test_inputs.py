"""The one input grammar (egis.core.inputs): what it accepts round-trips exactly; anything else
raises InputError, and nothing else ever escapes a parser."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egis.core.inputs import (
    MAX_ID,
    MAX_JSON_DEPTH,
    NAME_MAX,
    QTY_MAX,
    USD_MAX,
    InputError,
    JsonNumber,
    MalformedBody,
    load_json,
    nul_replaced,
    parse_id,
    parse_leverage,
    parse_name,
    parse_password,
    parse_quantity,
    parse_reason,
    parse_usd,
)

# The values the issue found accepted or crashing, each of which must be a clear refusal.
HOSTILE_AMOUNTS = [
    "1_0",
    "\u0661\u0660",  # Arabic-Indic ten
    "\uff11\uff10",  # fullwidth ten
    "\u00b2",  # superscript two: "²".isdigit() is true, int("²") raises
    "+10",
    " 10 ",
    "10\n",
    "1E+1",
    "1e1",
    "1e11",
    "1e30",
    "100000000000",
    "0" * 38 + "10",
    "9" * 29,
    "-5",
    "NaN",
    "Infinity",
    "10.",
    ".5",
    "10.001",
    "1,000",
    "0x10",
    "\x00",
    "10\x00",
    "",
    JsonNumber("1e1"),
    JsonNumber("Infinity"),
    100_000_000_000,
    True,
    10.5,
    Decimal("NaN"),
    Decimal("-1"),
    [],
    {},
    None,
]


@pytest.mark.parametrize("raw", HOSTILE_AMOUNTS, ids=repr)
def test_hostile_amounts_are_refused(raw):
    with pytest.raises(InputError) as caught:
        parse_usd(raw, field="size_usd")
    assert caught.value.field == "size_usd"
    assert caught.value.http_status == 422


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("100000000000", "at most 1,000,000,000"),
        ("1e30", "exponent"),
        ("+10", "sign"),
        (" 10 ", "spaces"),
        ("\u0661\u0660", "digits 0-9"),
        ("\u00b2", "digits 0-9"),
        ("10.001", "more than 2 decimal places"),
        ("0" * 38 + "10", "digits before the point"),
        ("x" * 40, "too long"),
        ("0", "greater than zero"),
    ],
)
def test_refusals_say_what_to_change(raw, words):
    with pytest.raises(InputError, match=words):
        parse_usd(raw, field="budget")


def test_the_maximum_itself_is_accepted_and_fits_the_column_with_room():
    assert parse_usd("1000000000", field="x") == USD_MAX
    assert parse_usd("1000000000.00", field="x") == USD_MAX
    assert parse_quantity("1000000000", field="x") == QTY_MAX
    # FixedDecimalField: 8 places in a signed 64-bit integer.
    assert USD_MAX * 10**8 * 90 < 2**63


@pytest.mark.parametrize(
    ("raw", "value"),
    [("10", "10"), ("10.5", "10.5"), ("0010.50", "10.50"), (7, "7"), (JsonNumber("10.1"), "10.1")],
)
def test_plain_amounts_and_json_integers_are_read_exactly(raw, value):
    assert parse_usd(raw, field="x") == Decimal(value)


@given(st.integers(min_value=1, max_value=int(USD_MAX * 100)))
def test_every_usd_amount_in_range_round_trips(cents):
    value = Decimal(cents).scaleb(-2)
    text = format(value, "f")
    assert parse_usd(text, field="x") == value
    assert parse_usd(JsonNumber(text), field="x") == value


@given(st.integers(min_value=1, max_value=int(QTY_MAX * 10**8)))
def test_every_quantity_in_range_round_trips(units):
    value = Decimal(units).scaleb(-8)
    assert parse_quantity(format(value, "f"), field="x") == value


ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text()
    | st.text(alphabet="0123456789.eE+-_ \n\u00b2\u0661\uff11").map(JsonNumber),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


@given(ANYTHING)
def test_amount_parsers_accept_the_grammar_or_raise_input_error(raw):
    for parse in (parse_usd, parse_quantity):
        try:
            value = parse(raw, field="x")
        except InputError:
            continue
        assert isinstance(value, Decimal) and value.is_finite() and 0 < value <= USD_MAX


@given(st.text(alphabet="0123456789.eE+-_ \n\t\u00b2\u0661\uff11\u00bd", max_size=30))
def test_amount_text_near_the_grammar_is_accepted_only_in_plain_form(text):
    try:
        value = parse_usd(text, field="x")
    except InputError:
        return
    assert text.isascii() and text.replace(".", "", 1).isdigit()
    assert value == Decimal(text)


@given(ANYTHING)
def test_id_and_text_parsers_accept_the_grammar_or_raise_input_error(raw):
    try:
        value = parse_id(raw, field="id")
    except InputError:
        pass
    else:
        assert type(value) is int and 1 <= value <= MAX_ID
    try:
        text = parse_name(raw)
    except InputError:
        pass
    else:
        assert 0 < len(text) <= NAME_MAX and "\x00" not in text


@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_load_json_returns_a_value_or_raises_malformed_body(body):
    try:
        load_json(body)
    except MalformedBody as exc:
        assert exc.http_status == 400


@pytest.mark.parametrize(
    "raw", [True, False, 1.0, JsonNumber("1.0"), JsonNumber("1e1"), "\u0661", "\u00b2", "1_0",
            " 1", "1 ", "+1", "-1", 0, -1, 2**63, "9" * 20, "0x1", [], None, ""],
    ids=repr,
)  # fmt: skip
def test_hostile_ids_are_refused(raw):
    with pytest.raises(InputError):
        parse_id(raw, field="position_id")


def test_ids_are_json_integers_or_ascii_digit_strings():
    assert parse_id(7, field="x") == 7
    assert parse_id("7", field="x") == 7
    assert parse_id(str(MAX_ID), field="x") == MAX_ID


@pytest.mark.parametrize("raw", ["\u00b2", "0", "126", "1.0", True, "\uff15"], ids=repr)
def test_leverage_uses_the_integer_grammar(raw):
    with pytest.raises(InputError):
        parse_leverage(raw)


@pytest.mark.parametrize(
    "raw",
    ["a\x00b", "\x00", "bell\x07", "esc\x1b[31m", "tab\tname", "line\nbreak", "x" * 81, "\ud800"],
    ids=repr,
)
def test_names_refuse_nul_control_characters_and_length(raw):
    with pytest.raises(InputError):
        parse_name(raw)


def test_names_are_trimmed_and_unicode_letters_are_fine():
    assert parse_name("  Bob's ETH \u00e9\u6f22  ") == "Bob's ETH \u00e9\u6f22"
    assert parse_name("x" * NAME_MAX) == "x" * NAME_MAX


def test_a_reason_may_span_lines_but_not_hold_nul():
    assert parse_reason("drift gone\nchecked on the venue") == "drift gone\nchecked on the venue"
    with pytest.raises(InputError):
        parse_reason("drift\x00gone")


def test_json_numbers_keep_their_literal_text():
    data = load_json(b'{"a": 10.10, "b": 1e1, "c": 7, "d": NaN}')
    assert data == {"a": "10.10", "b": "1e1", "c": 7, "d": "NaN"}
    assert isinstance(data["a"], JsonNumber) and type(data["c"]) is int


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 3000 + b"]" * 3000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b"not json",
        b"\xff\xfe",
        b'{"a": 1',
        b"1" * 5000,  # over Python's int-from-string digit limit
    ],
    ids=["deep-lists", "deep-objects", "one-too-deep", "text", "not-utf8", "cut", "huge-int"],
)
def test_malformed_or_deep_json_is_a_malformed_body(body):
    with pytest.raises(MalformedBody):
        load_json(body)


def test_brackets_inside_strings_do_not_count_as_depth():
    body = json.dumps({"name": "[" * 500}).encode()
    assert load_json(body) == {"name": "[" * 500}


@pytest.mark.parametrize("raw", ["\ud800", "pass\x00word", "esc\x1b", "x" * 1025, 12345, None])
def test_a_password_the_hasher_cannot_encode_is_refused(raw):
    if raw is None:
        assert parse_password(raw) == ""
        return
    with pytest.raises(InputError):
        parse_password(raw)


def test_a_password_keeps_its_spaces():
    assert parse_password("  two words  ") == "  two words  "


def test_a_stored_amount_with_the_columns_trailing_zeros_is_its_value():
    # Regression: PATCH /bots/{id} without a budget (and `egis bot update --name`) passed the
    # stored Decimal('100.00000000') back and was refused for "more than 2 decimal places".
    assert parse_usd(Decimal("100.00000000"), field="budget") == Decimal("100")
    assert parse_usd(Decimal("8.50000000"), field="budget") == Decimal("8.5")
    with pytest.raises(InputError):
        parse_usd(Decimal("8.50300000"), field="budget")


def test_unix_times_up_to_the_end_of_the_year_9999_and_no_further():
    from datetime import UTC, datetime

    from egis.core.inputs import UNIX_MS_FROM, UNIX_TIME_MAX_MS, parse_unix_time

    last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert parse_unix_time(UNIX_TIME_MAX_MS, field="t") == last
    assert parse_unix_time(str(UNIX_TIME_MAX_MS), field="t") == last
    assert parse_unix_time(UNIX_MS_FROM - 1, field="t").year == 5138  # still seconds
    seconds, millis = (
        parse_unix_time(1_700_000_000, field="t"),
        parse_unix_time(1_700_000_000_000, field="t"),
    )
    assert seconds == millis
    for past_9999 in (UNIX_TIME_MAX_MS + 1, 999_999_999_999_999, 2**63 - 1):
        with pytest.raises(InputError, match="after the year 9999"):
            parse_unix_time(past_9999, field="t")
    for not_a_time in (-1, "-1", "1e12", True, 1.5, "²", "9" * 19, 2**63):
        with pytest.raises(InputError):
            parse_unix_time(not_a_time, field="t")


def test_nul_replaced_finds_a_nul_anywhere_and_replaces_it():
    # PostgreSQL stores no NUL (text or jsonb): a body kept as it came must hold none.
    body = load_json(b'{"a\\u0000": [1, {"deep": "x\\u0000"}], "ok": "fine"}')
    replaced, found = nul_replaced(body)
    assert found
    assert replaced == {"a\ufffd": [1, {"deep": "x\ufffd"}], "ok": "fine"}
    assert nul_replaced({"comment": "\\u0000", "n": JsonNumber("1.5")}) == (
        {"comment": "\\u0000", "n": JsonNumber("1.5")},
        False,
    )


@pytest.mark.parametrize("raw", ["1,000.50", "1,000", "1,5"])
def test_an_amount_with_commas_says_to_write_it_without(raw):
    # Found by a newcomer: "1,000.50" (as the pages print it) was told "must be a decimal
    # number such as 10.50", which it reads as. Still refused: "1,5" may mean 1.5 or 15.
    with pytest.raises(InputError) as caught:
        parse_usd(raw, field="budget")
    assert caught.value.message == (
        "budget must be written without commas (e.g. 1000.50, not 1,000.50)"
    )
