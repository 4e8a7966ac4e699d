from decimal import Decimal

import pytest

from egis.core.money import DecimalInputError, parse_decimal, usd_display, usd_str


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("8.80368", "$8.80"),
        ("8.828", "$8.83"),
        ("-1.25", "-$1.25"),
        ("0", "$0.00"),
        ("-0.004", "$0.00"),
        ("-0.00000001", "$0.00"),
        ("1234567.891", "$1,234,567.89"),
    ],
)
def test_usd_display_never_shows_negative_zero(value, shown):
    assert usd_display(Decimal(value)) == shown


def test_available_is_truncated_toward_zero_for_display():
    assert usd_display(Decimal("9.996"), toward_zero=True) == "$9.99"
    assert usd_display(Decimal("-0.009"), toward_zero=True) == "$0.00"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "required"),
        ("", "required"),
        ("abc", "decimal number"),
        ("NaN", "decimal number"),
        ("Infinity", "decimal number"),
        ("-5", "without a sign"),
        ("0", "greater than zero"),
        ("10.001", "more than 2 decimal places"),
        ("1e1", "without an exponent"),
        (10.5, "decimal string"),
        (True, "decimal string"),
    ],
)
def test_parse_decimal_refuses_bad_input(raw, message):
    with pytest.raises(DecimalInputError, match=message):
        parse_decimal(raw, field="size_usd", max_places=2)


def test_parse_decimal_accepts_exact_strings_and_ints():
    assert parse_decimal("10.50", field="x", max_places=2) == Decimal("10.50")
    assert parse_decimal(7, field="x", max_places=2) == Decimal(7)


def test_usd_str_is_exact():
    assert usd_str(Decimal("8.80368")) == "8.80368"
    assert usd_str(Decimal("100")) == "100.00"
    assert usd_str(Decimal("0E-8")) == "0.00"
    assert usd_str(None) is None
