"""The one line each event becomes (pure: no database)."""

from __future__ import annotations

from egis.notifications.events import TEXT_MAX, message_text

BOT = {"bot_name": "Demo BNB bot", "symbol": "BNBUSDT"}


def test_an_open_fill_shows_executed_with_the_request_beside_it():
    text = message_text(
        "fill",
        {
            **BOT,
            "intent": "open",
            "side": "long",
            "order_status": "filled",
            "executed_qty": "0.01",
            "avg_price": "580",
            "size_usd": "5.80",
            "requested_usd": "10.00",
            "client_order_id": "egis-1-x",
            "position_id": 3,
        },
    )
    assert text == (
        "Egis · Demo BNB bot (BNBUSDT): open long filled: 0.01 @ 580, $5.80 executed "
        "(requested $10.00). Order egis-1-x, position #3."
    )


def test_a_partial_close_at_a_loss():
    text = message_text(
        "fill",
        {
            **BOT,
            "intent": "close",
            "side": "short",
            "order_status": "partially_filled",
            "executed_qty": "0.02",
            "requested_qty": "0.03",
            "avg_price": "600.5",
            "realized_pnl_usd": "-1.254",
            "client_order_id": "c",
            "position_id": 4,
        },
        brand=False,
    )
    assert text == (
        "Demo BNB bot (BNBUSDT): close short partially filled: 0.02 @ 600.5 (requested 0.03), "
        "realized -$1.25. Order c, position #4."
    )


def test_halts_limits_and_tests_read_as_sentences():
    assert message_text("bot_halted", {**BOT, "halted": False}, brand=False) == (
        "Demo BNB bot (BNBUSDT): resumed: new opens are allowed again."
    )
    limit = {"limit_usd": "50.00", "realized_today_usd": "-50.3"}
    assert "daily loss limit $50.00 hit: today's realized PnL is -$50.30" in message_text(
        "daily_loss_limit", limit
    )
    assert message_text("test", {}) == "Egis: test notification: this channel works."
    assert message_text("test", {}, brand=False) == "Test notification: this channel works."


def test_a_long_reason_is_cut_to_telegrams_limit():
    text = message_text("signal_rejected", {"signal_id": 1, "reason": "x" * 10_000})
    assert len(text) == TEXT_MAX and text.endswith("…")
