"""The events a person can be told about, and the one line each becomes.

The payload a caller gives is data (ids, exact decimal strings); `message_text` turns it into the
line a phone shows, and the webhook body carries both. A kind not listed here is refused by
`notify`, so a typo at a call site never sends something nobody chose.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from egis.bots.halt_words import halt_words
from egis.core.figures import size_text
from egis.core.money import usd_display
from egis.core.when import when_text_of

FILL = "fill"
EXIT_TRIGGERED = "exit_triggered"
SIGNAL_REJECTED = "signal_rejected"
ORDER_NOT_BOOKED = "order_not_booked"
INCIDENT_OPENED = "incident_opened"
DRIFT_FOUND = "drift_found"
BOT_HALTED = "bot_halted"  # halted or resumed: `payload["halted"]` says which
DAILY_LOSS_LIMIT = "daily_loss_limit"
TEST = "test"  # "Send test": always delivered, whatever the person chose

EVENT_LABELS: dict[str, str] = {
    FILL: "Fills (open and close, executed vs requested)",
    EXIT_TRIGGERED: "Exit triggered (take-profit, stop-loss, trailing)",
    SIGNAL_REJECTED: "Signal rejected",
    ORDER_NOT_BOOKED: "Order not booked / outcome unknown",
    INCIDENT_OPENED: "Incident opened",
    DRIFT_FOUND: "Drift found",
    BOT_HALTED: "Bot halted or resumed",
    DAILY_LOSS_LIMIT: "Daily loss limit hit",
}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_LABELS)
KNOWN_KINDS = frozenset((*EVENT_KINDS, TEST))

TEXT_MAX = 4096  # Telegram's sendMessage `text`: 1-4096 characters after entity parsing


def _s(payload: dict[str, Any], key: str, default: str = "?") -> str:
    value = payload.get(key)
    return default if value is None or value == "" else str(value)


def _usd(value: object) -> str:
    """Money as the pages show it ($8.80, -$1.25); the exact figure stays in the payload."""
    if value is None or value == "":
        return "?"
    try:
        return usd_display(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return "?"


def _size(value: object) -> str:
    """A fill's value as every screen shows it (`size_text`: whole cents rounded up)."""
    if value is None or value == "":
        return "?"
    try:
        return size_text(Decimal(str(value))) or "?"
    except (InvalidOperation, ValueError):
        return "?"


def _fill(p: dict[str, Any]) -> str:
    what = f"{_s(p, 'intent')} {_s(p, 'side')}"
    status = "partially filled" if p.get("order_status") == "partially_filled" else "filled"
    line = f"{what} {status}: {_s(p, 'executed_qty')} @ {_s(p, 'avg_price')}"
    if p.get("intent") == "open":
        line += f", {_size(p.get('size_usd'))} executed"
        if p.get("requested_usd") not in (None, "", p.get("size_usd")):
            line += f" (requested {_usd(p.get('requested_usd'))})"
    else:
        if p.get("requested_qty") not in (None, "", p.get("executed_qty")):
            line += f" (requested {_s(p, 'requested_qty')})"
        if p.get("realized_pnl_usd") not in (None, ""):
            line += f", realized {_usd(p.get('realized_pnl_usd'))}"
    return f"{line}. Order {_s(p, 'client_order_id')}, position #{_s(p, 'position_id')}."


def _exit(p: dict[str, Any]) -> str:
    what = f"{p['exit_kind']} exit" if p.get("exit_kind") else "exit"
    line = f"{what} triggered on position #{_s(p, 'position_id')}"
    if p.get("trigger_price"):
        line += f" at {p['trigger_price']}"
    return f"{line}: {_s(p, 'detail', 'the position is being closed')}."


def _signal(p: dict[str, Any]) -> str:
    return f"signal #{_s(p, 'signal_id')} rejected: {_s(p, 'reason')}."


def _not_booked(p: dict[str, Any]) -> str:
    incident = f" (incident #{p['incident_id']})" if p.get("incident_id") else ""
    order = _s(p, "client_order_id")
    return f"order {order} not booked [{_s(p, 'code')}]: {_s(p, 'message')}{incident}"


def _incident(p: dict[str, Any]) -> str:
    return f"incident #{_s(p, 'incident_id')} opened ({_s(p, 'kind')}): {_s(p, 'error', '')}"


def _drift(p: dict[str, Any]) -> str:
    return f"drift found (incident #{_s(p, 'incident_id')}): {_s(p, 'detail')}; new opens halted."


def _halt(p: dict[str, Any]) -> str:
    if p.get("halted"):
        return f"halted for new opens. {halt_words(_s(p, 'reason'))} Closes still work."
    return "resumed: new opens are allowed again."


def _daily_loss(p: dict[str, Any]) -> str:
    # The payload's resume_at is the next 00:00 UTC (egis.ledger.risk.daily_loss_refusal).
    resume = when_text_of(p.get("resume_at")) or "00:00\u00a0UTC"
    return (
        f"daily loss limit {_usd(p.get('limit_usd'))} hit: today's realized PnL is "
        f"{_usd(p.get('realized_today_shown_usd', p.get('realized_today_usd')))}; opens resume "
        f"at {resume}."
    )


def _test(p: dict[str, Any]) -> str:
    return "test notification: this channel works."


_FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    FILL: _fill,
    EXIT_TRIGGERED: _exit,
    SIGNAL_REJECTED: _signal,
    ORDER_NOT_BOOKED: _not_booked,
    INCIDENT_OPENED: _incident,
    DRIFT_FOUND: _drift,
    BOT_HALTED: _halt,
    DAILY_LOSS_LIMIT: _daily_loss,
    TEST: _test,
}


def message_text(kind: str, payload: dict[str, Any], *, brand: bool = True) -> str:
    """`Egis · Demo BNB bot (BNBUSDT): open long filled: ...`, at most TEXT_MAX characters.
    Without `brand` (Egis's own delivery log): `Demo BNB bot (BNBUSDT): open long filled: ...`."""
    where = ""
    if payload.get("bot_name"):
        where = str(payload["bot_name"])
        if payload.get("symbol"):
            where += f" ({payload['symbol']})"
    body = _FORMATS.get(kind, lambda p: kind)(payload)
    if brand:
        text = f"Egis · {where}: {body}" if where else f"Egis: {body}"
    else:
        text = f"{where}: {body}" if where else body[:1].upper() + body[1:]
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"
