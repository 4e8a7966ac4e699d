"""The signal body grammar, pure (no database): forms, symbols, timestamps, percent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from egis.core.inputs import DuplicateField, InputError, JsonNumber, load_json, parse_percent
from egis.signals.payload import (
    SignalMalformed,
    action_from_json,
    normalise_symbol,
    parse_signal,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("raw", "symbol"),
    [
        ("BINANCE:SOLUSDT.P", "SOLUSDT"),
        ("solusdt", "SOLUSDT"),
        ("BYBIT:ETHUSDT.PERP", "ETHUSDT"),
        ("ETHUSDTPERP", "ETHUSDT"),
        ("", ""),
    ],
)
def test_symbols_drop_tradingview_prefixes_and_suffixes(raw, symbol):
    assert normalise_symbol(raw) == symbol


def test_timestamps_iso_unix_seconds_and_milliseconds():
    when = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert parse_timestamp("2026-01-31T12:00:00Z") == when
    assert parse_timestamp(int(when.timestamp())) == when
    assert parse_timestamp(str(int(when.timestamp()) * 1000)) == when
    assert parse_timestamp(None) is None
    with pytest.raises(SignalMalformed, match="timezone"):
        parse_timestamp("2026-01-31T12:00:00")
    with pytest.raises(InputError):
        parse_timestamp(JsonNumber("1.7e9"))


def test_the_tradingview_template_filled_in_parses():
    body = load_json(
        b'{"target": "short", "prev": "long", "size_usd": "25", "id": "ETHUSDT-Short-1",'
        b' "timestamp": "2026-01-31T12:00:00Z", "symbol": "BINANCE:ETHUSDT.P"}'
    )
    action = parse_signal(body)
    assert (action.kind, action.target, action.prev, action.size_usd, action.symbol) == (
        "target",
        "short",
        "long",
        Decimal("25"),
        "ETHUSDT",
    )
    assert action_from_json(action.as_json()) == action
    assert action.summary() == "target short $25.00"


def test_percent_grammar():
    assert parse_percent("12.5", field="size_pct") == Decimal("12.5")
    assert parse_percent(JsonNumber("0.01"), field="size_pct") == Decimal("0.01")
    for bad in ("0", "100.01", "-5", "1e1", "12.345", 12.5):
        with pytest.raises(InputError):
            parse_percent(bad, field="size_pct")


@pytest.mark.parametrize("body", [[], "open", 5, None, {"action": None}, {"target": 1}])
def test_what_is_not_a_signal_is_malformed(body):
    with pytest.raises(InputError):
        parse_signal(body)


def test_an_unfilled_tradingview_placeholder_is_named_as_one():
    """An indicator's alert sends {{strategy.market_position}} as it is (TradingView fills the
    strategy placeholders only in a strategy's alerts); a newcomer run got "target has at most
    16 characters" for it."""
    body = {"target": "{{strategy.market_position}}", "size_usd": "20"}
    with pytest.raises(SignalMalformed) as refused:
        parse_signal(body)
    assert "placeholder left unfilled" in refused.value.message
    assert "write one of long, short, flat" in refused.value.message
    with pytest.raises(SignalMalformed, match=r"must be one of long, short, flat \(got 'longer"):
        parse_signal({"target": "longer-than-sixteen-chars", "size_usd": "20"})


def test_a_body_with_a_byte_order_mark_is_read():
    assert load_json(b'\xef\xbb\xbf{"action": "close"}') == {"action": "close"}
    assert parse_signal(load_json('\ufeff{"action": "close"}')).kind == "close"


def test_an_object_naming_a_field_twice_is_refused_not_read_as_its_last():
    """`{"action": "open", "action": "close"}`: a decoder keeps the last silently; what was
    meant cannot be known, so it is refused (nested objects too)."""
    with pytest.raises(DuplicateField, match="'action' appears twice"):
        load_json(b'{"action": "open", "side": "long", "action": "close"}')
    with pytest.raises(DuplicateField, match="'pct' appears twice"):
        load_json(b'{"exits": {"stop_loss": {"pct": "1", "pct": "5"}}}')
    assert load_json(b'[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]  # one per object is fine
