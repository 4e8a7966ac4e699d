"""The risk limits' arithmetic (egis.ledger.risk), pure: no database, exact figures and words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from egis.core.inputs import InputError
from egis.ledger.errors import (
    DailyLossLimitReached,
    MaxOpenPositionsReached,
    MaxOrderUsdExceeded,
    OpenCooldown,
    OrderRefused,
)
from egis.ledger.realized_day import RealizedDay
from egis.ledger.risk import (
    RiskLimits,
    cooldown_refusal,
    daily_loss_refusal,
    max_open_refusal,
    max_order_refusal,
    parse_risk_limits,
    utc_day,
)

NOW = dt.datetime(2026, 11, 26, 14, 30, 5, 250_000, tzinfo=dt.UTC)


def test_max_usd_per_order_says_the_limit_and_by_how_much():
    refusal = max_order_refusal(Decimal("50"), Decimal("80"))
    assert isinstance(refusal, MaxOrderUsdExceeded) and isinstance(refusal, OrderRefused)
    assert refusal.message == "Max USD per order is $50.00: $80.00 requested (over by $30.00)."
    assert refusal.details == {
        "limit_usd": "50.00",
        "requested_usd": "80.00",
        "over_by_usd": "30.00",
    }
    assert refusal.http_status == 409 and refusal.code == "max_order_usd"


def test_max_usd_per_order_allows_exactly_the_limit_and_off_allows_anything():
    assert max_order_refusal(Decimal("50.00"), Decimal("50.00")) is None
    assert max_order_refusal(None, Decimal("1000000000")) is None
    over = max_order_refusal(Decimal("50.00"), Decimal("50.01"))
    assert over is not None and "(over by $0.01)" in over.message


def test_max_open_positions():
    assert max_open_refusal(3, 2) is None
    assert max_open_refusal(None, 500) is None
    refusal = max_open_refusal(3, 3)
    assert isinstance(refusal, MaxOpenPositionsReached)
    assert refusal.message == "Max open positions is 3: 3 are open."
    # A limit lowered below what is open already: the figures say so.
    assert max_open_refusal(1, 1).message == "Max open positions is 1: 1 is open."  # type: ignore[union-attr]
    assert max_open_refusal(2, 5).message == "Max open positions is 2: 5 are open."  # type: ignore[union-attr]


def test_cooldown_counts_whole_seconds_without_floats():
    refusal = cooldown_refusal(60, NOW - dt.timedelta(seconds=12), NOW)
    assert isinstance(refusal, OpenCooldown)
    assert refusal.message == (
        "Cooldown: the last open was 12 s ago; opens are allowed every 60 s (wait 48 s)."
    )
    # A fraction: "ago" rounds down, "wait" up, and they still add up to the cooldown.
    partial = cooldown_refusal(60, NOW - dt.timedelta(seconds=12, microseconds=300_000), NOW)
    assert partial is not None and partial.details["last_open_s_ago"] == 12
    assert partial.details["wait_s"] == 48
    almost = cooldown_refusal(60, NOW - dt.timedelta(seconds=59, microseconds=999_999), NOW)
    assert almost is not None and almost.details["wait_s"] == 1


def test_cooldown_ends_exactly_at_the_limit_and_is_off_without_a_last_open():
    assert cooldown_refusal(60, NOW - dt.timedelta(seconds=60), NOW) is None
    assert cooldown_refusal(60, None, NOW) is None
    assert cooldown_refusal(None, NOW, NOW) is None


def test_a_last_open_stamped_in_the_future_counts_as_just_now():
    refusal = cooldown_refusal(60, NOW + dt.timedelta(seconds=5), NOW)
    assert refusal is not None
    assert refusal.details == {"cooldown_s": 60, "last_open_s_ago": 0, "wait_s": 60}


def _day(total: str, lowest: str | None = None) -> RealizedDay:
    return RealizedDay(Decimal(total), min(Decimal(0), Decimal(lowest or total)), Decimal(total))


def test_daily_loss_limit_is_reached_at_exactly_the_limit():
    assert daily_loss_refusal(Decimal("20"), _day("-19.99"), NOW) is None
    assert daily_loss_refusal(Decimal("20"), _day("5"), NOW) is None
    assert daily_loss_refusal(None, _day("-1000"), NOW) is None
    assert daily_loss_refusal(Decimal("20"), _day("-20"), NOW) is not None
    refusal = daily_loss_refusal(Decimal("20.00"), _day("-21.40"), NOW)
    assert isinstance(refusal, DailyLossLimitReached)
    assert refusal.message == (
        "Daily loss limit $20.00 reached: today's realized PnL is -$21.40 (UTC day); "
        "opens resume at 27 Nov, 00:00\u00a0UTC."
    )
    assert refusal.details["resume_at"] == "2026-11-27T00:00:00+00:00"


def test_a_limit_reached_earlier_in_the_day_still_halts():
    assert daily_loss_refusal(Decimal("20"), _day("-19.50", "-19.99"), NOW) is None
    refusal = daily_loss_refusal(Decimal("20"), _day("3", "-20"), NOW)
    assert refusal is not None
    assert refusal.message.startswith(
        "Daily loss limit $20.00 reached: today's realized PnL went to -$20.00 (now +$3.00)"
    )


def test_the_utc_day_of_an_aware_time_in_another_zone():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    start, end = utc_day(dt.datetime(2026, 11, 27, 8, 0, tzinfo=tokyo))  # 23:00 UTC on the 26th
    assert start == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def test_limits_parse_by_the_one_grammar_and_blank_is_off():
    assert parse_risk_limits() == RiskLimits()
    assert not RiskLimits().any
    limits = parse_risk_limits(
        max_open_positions="3", max_order_usd="50.5", cooldown_s=60, daily_loss_limit_usd=""
    )
    assert limits == RiskLimits(3, Decimal("50.5"), 60, None)
    assert limits.as_json() == {
        "max_open_positions": 3,
        "max_order_usd": "50.50",
        "cooldown_s": 60,
        "daily_loss_limit_usd": None,
    }
    assert limits.audit_words()["daily_loss_limit_usd"] == "off"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_open_positions": "0"}, "max_open_positions"),
        ({"max_open_positions": "-1"}, "max_open_positions"),
        ({"max_open_positions": "\u00b2"}, "max_open_positions"),
        ({"max_open_positions": True}, "max_open_positions"),
        ({"max_open_positions": "10001"}, "max_open_positions"),
        ({"max_order_usd": "0"}, "max_order_usd"),
        ({"max_order_usd": "1e3"}, "max_order_usd"),
        ({"max_order_usd": "10.001"}, "max_order_usd"),
        ({"max_order_usd": " 10"}, "max_order_usd"),
        ({"cooldown_s": "1.5"}, "cooldown_s"),
        ({"cooldown_s": 0}, "cooldown_s"),
        ({"cooldown_s": 7 * 86_400 + 1}, "cooldown_s"),
        ({"daily_loss_limit_usd": "-20"}, "daily_loss_limit_usd"),
        ({"daily_loss_limit_usd": "\uff12\uff10"}, "daily_loss_limit_usd"),
    ],
)
def test_limits_off_the_grammar_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(InputError) as info:
        parse_risk_limits(**kwargs)
    assert info.value.field == field
