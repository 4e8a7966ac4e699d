"""An incident told in sentences, with the action the page itself offers.

The Incidents page shows what is known in words (never the raw payload) and, where the page can
repair the cause itself, offers that action (a stale paper book: Sync Paper State) instead of a
command line. Fields that are empty are left out, not shown as "—".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from egis.core.choices import Venue
from egis.core.figures import base_asset, price_text, qty_text, size_text
from egis.core.when import when_text_of
from egis.execution.incident_base import (
    APPLY_VENUE_FILL,
    CLOSE_POSITION,
    VOID_ORDER,
    available_actions,
)
from egis.ledger.models import Incident, IncidentKind, IncidentStatus

_INTENT_WORDS = {"open": "an open", "close": "a close"}


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _holding(value: object, symbol: str) -> str:
    """A signed net quantity in words, in the base asset as every page says it: "a long of
    0.01 BNB", "no BNB", "nothing"."""
    qty = _decimal(value)
    if qty is None:
        return "an unknown quantity"
    if qty == 0:
        return f"no {base_asset(symbol)}" if symbol else "nothing"
    side = "long" if qty > 0 else "short"
    return f"a {side} of {_qty(abs(qty), symbol)}"


def _qty_of(value: object, symbol: str) -> str:
    qty = _decimal(value)
    return "an unknown quantity" if qty is None else _qty(qty, symbol)


def _qty(qty: Decimal, symbol: str) -> str:
    """ "0.003 ETH"; the bare figure when the symbol is not known."""
    if not symbol:
        return f"{qty.normalize():f}"
    return qty_text(qty, symbol=symbol) or ""


def _order_words(incident: Incident) -> str:
    intent = _INTENT_WORDS.get(incident.intent, "an")
    if incident.client_order_id:
        return f"{intent} order ({incident.client_order_id})"
    return f"{intent} order"


def _bot_words(incident: Incident) -> str:
    return f"bot “{incident.bot.name}”" if incident.bot else "its bot"


def _report_sentence(report: dict[str, Any], symbol: str) -> str:
    """The venue's report with units, as the Orders tab shows a fill: the quantity in the base
    asset, the price and the value in dollars, grouped (the value in the cents it blocks)."""
    status = str(report.get("status") or "").replace("_", " ").lower()
    executed = _decimal(report.get("executed_qty"))
    price = _decimal(report.get("avg_price"))
    cost = _decimal(report.get("cum_quote_usd"))
    parts = [f"The venue reported the order {status}" if status else "The venue reported it"]
    if executed is not None:
        parts.append(f", {_qty(executed, symbol)} executed")
        if price is not None and executed != 0:
            parts.append(f" at an average price of {price_text(price, tick=None)}")
        if cost is not None and executed != 0:
            parts.append(f" ({size_text(cost)})")
    return "".join(parts) + "."


def _drift_sentences(incident: Incident, payload: dict[str, Any]) -> list[str]:
    symbol = str(payload.get("symbol") or "")
    ledger = _holding(payload.get("ledger_qty"), symbol)
    venue = _holding(payload.get("venue_qty"), symbol)
    if payload.get("venue") == Venue.PAPER:
        out = [
            f"The paper venue's book of {_bot_words(incident)} holds {venue}, while the "
            f"ledger's open positions hold {ledger}."
        ]
        fills = payload.get("fills_qty")
        if _paper_book_is_stale(payload):
            out.append(
                "The paper venue's own fills agree with the ledger: only its book is stale. "
                "Sync Paper State rebuilds the book from the fills; then acknowledge this "
                "incident."
            )
        elif fills is not None:
            out.append(
                f"The paper venue's fills add up to {_holding(fills, symbol)}: it executed "
                "something the ledger does not hold. If the ledger holds a position the venue "
                "lacks, Close position closes it at a price you enter."
            )
    else:
        account = payload.get("account_id")
        where = f"Exchange account #{account}" if account else "The exchange account"
        out = [
            f"{where} holds {venue} on the exchange, while its bots' open positions add up to "
            f"{ledger}."
        ]
        synced = when_text_of(payload.get("mirror_synced_at"))
        if synced:
            out.append(f"The exchange's position was read at {synced}.")
        out.append(
            "Check the position on the exchange. If the exchange holds nothing, Close position "
            "closes the ledger's position at a price you enter; once both agree again, "
            "acknowledge."
        )
    positions = [p for p in payload.get("positions") or [] if isinstance(p, dict)]
    if positions:
        listed = ", ".join(
            f"#{p.get('id')} ({p.get('side')} {_qty_of(p.get('qty'), symbol)})"
            for p in positions[:10]
        )
        out.append(f"Positions involved: {listed}.")
    if incident.status == IncidentStatus.OPEN:
        out.append("New opens on the bots concerned are halted until it is resolved; closes work.")
    return out


def _paper_book_is_stale(payload: dict[str, Any]) -> bool:
    fills = _decimal(payload.get("fills_qty"))
    ledger = _decimal(payload.get("ledger_qty"))
    return payload.get("venue") == Venue.PAPER and fills is not None and fills == ledger


def incident_sentences(incident: Incident) -> list[str]:
    """What is known, in sentences."""
    payload = incident.payload if isinstance(incident.payload, dict) else {}
    kind = incident.kind
    if kind == IncidentKind.DRIFT:
        return _drift_sentences(incident, payload)
    order = _order_words(incident)
    out: list[str] = []
    if kind == IncidentKind.DB_FAILED_AFTER_VENUE:
        out.append(
            f"The venue answered {order} of {_bot_words(incident)}, but Egis could not save "
            "the answer in its database."
        )
    elif kind == IncidentKind.UNKNOWN_ORDER:
        out.append(
            f"{order[0].upper()}{order[1:]} of {_bot_words(incident)} was sent, but the venue "
            "never confirmed whether it executed. The budget reserved for it stays reserved until "
            "it is settled."
        )
        age = payload.get("age_seconds")
        if isinstance(age, int) and age > 0:
            out.append(f"Recovery could not decide its fate within {age // 60 or 1} minutes.")
    elif kind == IncidentKind.VENUE_REFUSED_CLOSE:
        code = payload.get("venue_code")
        why = f" (code {code})" if code is not None else ""
        out.append(
            f"The venue refused {order} of {_bot_words(incident)}{why}: it holds nothing to "
            "reduce, while the ledger still holds the position."
        )
    report = payload.get("report")
    if isinstance(report, dict):
        symbol = incident.order.symbol if incident.order else ""
        symbol = symbol or (incident.bot.symbol if incident.bot else "")
        out.append(_report_sentence(report, symbol))
    if payload.get("position_id"):
        out.append(f"It concerns position #{payload['position_id']}.")
    if payload.get("source") == "journal":
        out.append(
            "It was written to the recovery journal while the database was unreachable and "
            "imported once it was back."
        )
    if incident.error:
        out.append(f"Egis recorded: “{incident.error}”")
    if incident.status == IncidentStatus.OPEN:
        out.extend(_ACTION_ADVICE.get(a, "") for a in available_actions(incident))
    return [s for s in out if s]


_ACTION_ADVICE = {
    APPLY_VENUE_FILL: (
        "Apply venue fill looks the order up at the venue by its client order id and books what "
        "the venue reports."
    ),
    VOID_ORDER: ("Void order frees the budget reserved for the order if the venue never took it."),
    CLOSE_POSITION: (
        "Close position closes the ledger's position at a price you enter (what you read at the "
        "venue), without sending an order."
    ),
}


def incident_offer(incident: Incident) -> dict[str, Any] | None:
    """The repair the page can run itself, or None."""
    payload = incident.payload if isinstance(incident.payload, dict) else {}
    if (
        incident.status == IncidentStatus.OPEN
        and incident.kind == IncidentKind.DRIFT
        and incident.bot is not None
        and incident.bot.deleted_at is None
        and _paper_book_is_stale(payload)
    ):
        return {"kind": "paper_sync", "bot_id": incident.bot.pk}
    return None
