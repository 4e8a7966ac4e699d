"""Each audited field of a bot in the Settings history's words: money as every page writes it,
units on the values, the webhook's and the switches' events as sentences (pure, no database)."""

from __future__ import annotations

import pytest

from egis.bots.settings_history import change_words


@pytest.mark.parametrize(
    ("field", "before", "after", "words"),
    [
        ("initial_budget_usd", "200.00", "1250.5", "Budget $200.00 → $1,250.50"),
        ("max_order_usd", "off", "50", "Max per order off → $50.00"),
        ("daily_loss_limit_usd", "25.00", "off", "Daily loss limit $25.00 → off"),
        ("max_open_positions", "off", "3", "Max open positions off → 3"),
        ("cooldown_s", "60", "off", "Cooldown between opens 60 s → off"),
        ("leverage", "1", "3", "Leverage 1x → 3x"),
        ("name", "Bob ETH", "Bob ETH 2", "Name “Bob ETH” → “Bob ETH 2”"),
        ("is_active", "active", "inactive", "Deactivated: no new opens"),
        ("is_active", "inactive", "active", "Activated"),
        ("paused", "running", "paused", "Paused: no new opens"),
        ("paused", "paused", "running", "Resumed"),
        ("webhook", "none", "created", "Webhook created"),
        (
            "webhook",
            "live",
            "rotated: a new URL and secret",
            "Webhook rotated: a new URL and secret, the old ones stopped working",
        ),
        ("webhook", "live", "revoked", "Webhook revoked: its URL and secret stopped working"),
        ("signals", "on", "off", "Signals turned off: new signals are recorded and rejected"),
        ("signals", "off", "on", "Signals turned on"),
        (
            "close_all",
            "2 open",
            "close requested: #12 long 0.040 ETH ($117.39)",
            "Close all requested: #12 long 0.040 ETH ($117.39)",
        ),
        ("deleted", "active", "deleted", "Bot deleted"),
        ("created", "", "Paper ETHUSDT for bob: budget $100.00, leverage 1x", None),
        # A field recorded later, or a value that is not a number, still reads as words.
        ("max_order_usd", "", "not-a-number", "Max per order — → not-a-number"),
        ("some_new_field", "a", "b", "Some new field a → b"),
    ],
)
def test_change_words(field, before, after, words):
    expected = words or f"Created as {after}"
    assert change_words(field, before, after) == expected
