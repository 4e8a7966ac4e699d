"""Close all: an admin closes every open position of one bot through the order pipeline, each as
its own close-intent order (egis.ledger.pipeline.order_close: write-ahead row, reduce-only,
settled or turned into an incident like any close). Nothing here talks to a venue.

`close_all_plan` is what the confirm sheet lists (and what will be sent); `close_all` audits the
request (egis.audit, one row naming the positions) and sends the closes one after the other. A
position that cannot close now (still opening, already closing) is reported, not retried; a
refusal or an unbooked close of one position does not stop the others.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from egis.accounts.models import User
from egis.audit.services import audit_record
from egis.bots.locks import LIVE_BOT_LOCKED
from egis.core.errors import UserFacingError
from egis.core.figures import qty_text, size_text
from egis.core.money import plain, usd_str
from egis.ledger.errors import OrderNotBooked, OrderRefused
from egis.ledger.event_words import CLOSE_ALL_KEY_PREFIX
from egis.ledger.models import Position, PositionStatus
from egis.ledger.pipeline import order_close
from egis.portfolio.activity import Steps
from egis.portfolio.fill_words import close_sheet_text
from egis.venues.base import VenueAdapter


class CloseAllError(UserFacingError):
    code = "close_all_refused"


@dataclass(frozen=True)
class PlannedClose:
    position_id: int
    side: str
    symbol: str
    qty: str
    size_usd: str
    sendable: bool
    why_not: str = ""
    # What the sheet shows (the page adds no unit and rounds nothing): the size by the one rule
    # of a shown position size (as on its card), the quantity in the base asset, in words.
    size_text: str = ""
    qty_text: str = ""
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "position_id": self.position_id,
            "side": self.side,
            "symbol": self.symbol,
            "qty": self.qty,
            "size_usd": self.size_usd,
            "sendable": self.sendable,
            "why_not": self.why_not,
            "size_text": self.size_text,
            "qty_text": self.qty_text,
            "text": self.text,
        }


def _planned(p: Position, steps: Steps) -> PlannedClose:
    why = ""
    if p.qty == 0:
        why = "still opening: wait for its fill"
    elif p.closing_order_id is not None:
        why = "already closing"
    return PlannedClose(
        position_id=p.pk,
        side=p.side,
        symbol=p.symbol,
        qty=plain(p.qty),
        size_usd=usd_str(p.size_usd) or "0",
        sendable=not why,
        why_not=why,
        size_text=size_text(p.size_usd) or "",
        qty_text=qty_text(p.qty, symbol=p.symbol, step=steps.qty) or "",
        text=close_sheet_text(p.side, p.qty, p.symbol, steps),
    )


def close_all_plan(bot_id: int, steps: Steps | None = None) -> list[PlannedClose]:
    """The bot's open positions, oldest first, each with whether a close would be sent now
    (`steps`: the symbol's lot step and tick, for the shown quantities)."""
    rows = Position.objects.filter(bot_id=bot_id, status=PositionStatus.OPEN).order_by("id")
    return [_planned(p, steps or Steps()) for p in rows]


@dataclass
class CloseAllResult:
    bot_id: int
    sent: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        closed = sum(1 for s in self.sent if s["outcome"] == "closed")
        return {
            "bot_id": self.bot_id,
            "requested": len(self.sent),
            "closed": closed,
            "sent": self.sent,
            "skipped": self.skipped,
            "summary": (
                f"{closed} of {len(self.sent)} close order"
                + ("" if len(self.sent) == 1 else "s")
                + " booked"
                + (f"; {len(self.skipped)} skipped" if self.skipped else "")
            ),
        }


def _audit_request(bot_id: int, plan: list[PlannedClose], actor: User | None, label: str) -> None:
    with transaction.atomic():
        bot = LIVE_BOT_LOCKED.one(bot_id)
        if bot is None:
            raise CloseAllError(f"bot #{bot_id} does not exist")
        # Each position as its card says it: the quantity in the base asset at the lot step,
        # the size in the whole cents it blocks ("#12 long 0.040 ETH ($117.39)").
        listed = ", ".join(
            f"#{p.position_id} {p.side} {p.qty_text} ({p.size_text})" for p in plan if p.sendable
        )
        audit_record(
            actor=actor,
            actor_label=label,
            target=bot,
            field="close_all",
            before=f"{len(plan)} open",
            after=f"close requested: {listed or 'nothing to send'}"[:2000],
        )


def close_all(
    *,
    bot_id: int,
    actor: User,
    actor_label: str | None = None,
    venue: VenueAdapter | None = None,
) -> CloseAllResult:
    """Close every open position of the bot, one close-intent order each (admins only)."""
    if not actor.is_admin:
        raise CloseAllError("only an admin can close all positions of a bot")
    label = actor_label or actor.username
    plan = close_all_plan(bot_id)
    _audit_request(bot_id, plan, actor, label)
    # Each close keyed to this request: its audit lines and the closed row then say "by admin
    # <name> (Close all)" (egis.ledger.event_words), not the trader's own "by hand".
    request_key = secrets.token_hex(8)
    result = CloseAllResult(bot_id=bot_id)
    for planned in plan:
        if not planned.sendable:
            result.skipped.append({**planned.as_json(), "outcome": "skipped"})
            continue
        row = planned.as_json()
        try:
            sent = order_close(
                bot_id=bot_id,
                position_id=planned.position_id,
                actor=actor,
                venue=venue,
                idempotency_key=f"{CLOSE_ALL_KEY_PREFIX}{request_key}-{planned.position_id}",
            )
        except OrderNotBooked as exc:
            result.sent.append(
                {
                    **row,
                    "outcome": "not_booked",
                    "message": exc.message,
                    "client_order_id": exc.client_order_id,
                }
            )
            continue
        except OrderRefused as exc:
            result.sent.append({**row, "outcome": "refused", "message": exc.message})
            continue
        position = sent.position
        result.sent.append(
            {
                **row,
                "outcome": "closed" if position.status == PositionStatus.CLOSED else "partial",
                "client_order_id": sent.order.client_order_id,
                "exit_price": plain(position.exit_price) if position.exit_price else None,
                "message": "",
            }
        )
    return result
