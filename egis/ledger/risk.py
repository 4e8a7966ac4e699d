"""Per-bot risk limits, checked in the preflight of every open, whatever sent it (a page, the
API, the CLI, a signal): they all go through egis.ledger.pipeline.order_open, which calls
`check_open` once, inside its transaction, with the bot row locked. So two racing opens are
serialised on the bot lock and cannot both pass "max open positions" or the cooldown.

Each limit is optional (NULL on the bot: off) and refuses an open only; closes are never limited.

- Max USD per order: the requested size of one open (`size_usd`, what the hold reserves).
- Max open positions: the bot's positions with status open, including holds still in flight.
- Cooldown: seconds since the bot's last open order was *submitted*, i.e. the `created_at` of
  its newest open-intent order row that the venue did not refuse or fail (status submitting,
  unknown, filled or partially filled). The write-ahead row is committed before the venue call,
  so an open still in flight counts, and a refused open does not start a cooldown.
- Daily loss limit: the realized PnL of the current UTC day [00:00, 24:00), net of fees, step
  by step (egis.ledger.realized_day: each close fill, partial ones too, realizes its price PnL
  minus its fee when booked; a closed position's entry fee when it closes). Once the running
  total reaches minus the limit, opens are halted for the rest of the UTC day, even if a later
  close brings it back; nothing is stored, so the halt lifts by itself at 00:00 UTC.

The arithmetic is pure (the `*_refusal` functions take figures and return the refusal or None,
unit-tested without a database); `check_open` and `daily_loss_halts` read the figures.
Budget math is not here: the budget service (egis.ledger.budget) decides affordability.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from egis.bots.models import Bot
from egis.core import inputs
from egis.core.money import pnl_display, usd_display, usd_str
from egis.core.when import when_text
from egis.ledger.errors import (
    DailyLossLimitReached,
    MaxOpenPositionsReached,
    MaxOrderUsdExceeded,
    OpenCooldown,
    RiskLimitReached,
)
from egis.ledger.models import Order, OrderIntent, OrderStatus, Position, PositionStatus
from egis.ledger.realized_day import RealizedDay, realized_day, realized_days, utc_day

# An open order that was sent and not refused or failed: it starts the cooldown.
COOLDOWN_ORDER_STATUSES = (
    OrderStatus.SUBMITTING,
    OrderStatus.UNKNOWN,
    OrderStatus.FILLED,
    OrderStatus.PARTIALLY_FILLED,
)
_MICROS = 1_000_000


@dataclass(frozen=True)
class RiskLimits:
    max_open_positions: int | None = None
    max_order_usd: Decimal | None = None
    cooldown_s: int | None = None
    daily_loss_limit_usd: Decimal | None = None

    @classmethod
    def of(cls, bot: Bot) -> RiskLimits:
        return cls(
            max_open_positions=bot.max_open_positions,
            max_order_usd=bot.max_order_usd,
            cooldown_s=bot.cooldown_s,
            daily_loss_limit_usd=bot.daily_loss_limit_usd,
        )

    @property
    def any(self) -> bool:
        return any(v is not None for v in self.as_values().values())

    def as_values(self) -> dict[str, Any]:
        return {
            "max_open_positions": self.max_open_positions,
            "max_order_usd": self.max_order_usd,
            "cooldown_s": self.cooldown_s,
            "daily_loss_limit_usd": self.daily_loss_limit_usd,
        }

    def as_json(self) -> dict[str, Any]:
        """Money as exact decimal strings, counts as integers, null for a limit that is off."""
        return {
            "max_open_positions": self.max_open_positions,
            "max_order_usd": usd_str(self.max_order_usd),
            "cooldown_s": self.cooldown_s,
            "daily_loss_limit_usd": usd_str(self.daily_loss_limit_usd),
        }

    def audit_words(self) -> dict[str, str]:
        """Each limit as the audit trail records it: "off" when not set."""
        return {
            "max_open_positions": _word(self.max_open_positions),
            "max_order_usd": _word(usd_str(self.max_order_usd)),
            "cooldown_s": _word(self.cooldown_s),
            "daily_loss_limit_usd": _word(usd_str(self.daily_loss_limit_usd)),
        }


def _word(value: object) -> str:
    return "off" if value is None else str(value)


RISK_FIELDS = tuple(RiskLimits().as_values())


def parse_risk_limits(
    *,
    max_open_positions: object = None,
    max_order_usd: object = None,
    cooldown_s: object = None,
    daily_loss_limit_usd: object = None,
) -> RiskLimits:
    """The four limits by the one input grammar (egis.core.inputs). A blank value (None, "")
    turns the limit off; anything else must be a whole number >= 1 or a USD amount > 0.
    Raises InputError naming the field."""

    def count(raw: object, field: str, maximum: int) -> int | None:
        if inputs.is_blank(raw):
            return None
        return inputs.parse_int(raw, field=field, minimum=1, maximum=maximum)

    def usd(raw: object, field: str) -> Decimal | None:
        return None if inputs.is_blank(raw) else inputs.parse_usd(raw, field=field)

    return RiskLimits(
        max_open_positions=count(
            max_open_positions, "max_open_positions", inputs.MAX_OPEN_POSITIONS_MAX
        ),
        max_order_usd=usd(max_order_usd, "max_order_usd"),
        cooldown_s=count(cooldown_s, "cooldown_s", inputs.COOLDOWN_S_MAX),
        daily_loss_limit_usd=usd(daily_loss_limit_usd, "daily_loss_limit_usd"),
    )


# --- pure arithmetic ------------------------------------------------------------------------


def max_order_refusal(limit: Decimal | None, requested: Decimal) -> MaxOrderUsdExceeded | None:
    if limit is None or requested <= limit:
        return None
    over = requested - limit
    return MaxOrderUsdExceeded(
        f"Max USD per order is {usd_display(limit)}: {usd_display(requested)} requested "
        f"(over by {usd_display(over)}).",
        limit_usd=usd_str(limit),
        requested_usd=usd_str(requested),
        over_by_usd=usd_str(over),
    )


def max_open_refusal(limit: int | None, open_count: int) -> MaxOpenPositionsReached | None:
    if limit is None or open_count < limit:
        return None
    verb = "is" if open_count == 1 else "are"
    return MaxOpenPositionsReached(
        f"Max open positions is {limit}: {open_count} {verb} open.",
        limit=limit,
        open_positions=open_count,
    )


def cooldown_refusal(
    cooldown_s: int | None, last_open_at: dt.datetime | None, now: dt.datetime
) -> OpenCooldown | None:
    """Integer microseconds, never a float: `ago` is rounded down and `wait` up, so the two
    always add up to the cooldown. A last open stamped after `now` (another host's clock) counts
    as just now."""
    if cooldown_s is None or last_open_at is None:
        return None
    elapsed = max((now - last_open_at) // dt.timedelta(microseconds=1), 0)
    remaining = cooldown_s * _MICROS - elapsed
    if remaining <= 0:
        return None
    ago = elapsed // _MICROS
    wait = -(-remaining // _MICROS)
    return OpenCooldown(
        f"Cooldown: the last open was {ago} s ago; opens are allowed every {cooldown_s} s "
        f"(wait {wait} s).",
        cooldown_s=cooldown_s,
        last_open_s_ago=ago,
        wait_s=wait,
    )


def daily_loss_refusal(
    limit: Decimal | None, day: RealizedDay, now: dt.datetime
) -> DailyLossLimitReached | None:
    """Reached when today's realized PnL went to a loss of at least the limit at any moment of
    the UTC day (exact comparison): the halt lasts until 00:00 UTC."""
    if limit is None or day.lowest_usd > -limit:
        return None
    _, resume = utc_day(now)
    # Said as the pages show PnL (each position's part in whole cents, summed; signed), so the
    # banner and the bot's PnL rows agree; the limit itself is compared exactly.
    now_shown = pnl_display(day.shown_usd)
    since = (
        f"today's realized PnL is {now_shown}"
        if day.total_usd <= -limit
        else f"today's realized PnL went to {pnl_display(day.lowest_usd)} (now {now_shown})"
    )
    return DailyLossLimitReached(
        f"Daily loss limit {usd_display(limit)} reached: {since} (UTC day); opens resume at "
        f"{when_text(resume)}.",
        limit_usd=usd_str(limit),
        realized_today_usd=usd_str(day.total_usd),
        realized_today_shown_usd=usd_str(day.shown_usd),
        lowest_today_usd=usd_str(day.lowest_usd),
        resume_at=resume.isoformat(),
    )


# --- reads ----------------------------------------------------------------------------------


def realized_today(bot_id: int, *, now: dt.datetime) -> Decimal:
    """The bot's realized PnL so far in now's UTC day (egis.ledger.realized_day)."""
    return realized_day(bot_id, now).total_usd


def _last_open_at(bot_id: int) -> dt.datetime | None:
    # The newest row by id is the newest by created_at; the index orders_by_bot walks it.
    return (
        Order.objects.filter(
            bot_id=bot_id, intent=OrderIntent.OPEN, status__in=COOLDOWN_ORDER_STATUSES
        )
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )


def open_refusal(
    bot: Bot, requested_usd: Decimal, *, now: dt.datetime | None = None
) -> RiskLimitReached | None:
    """The first limit an open of `requested_usd` would break now, or None. A bot without limits
    costs no query."""
    limits = RiskLimits.of(bot)
    if not limits.any:
        return None
    now = now or timezone.now()
    refusal: RiskLimitReached | None = None
    if limits.daily_loss_limit_usd is not None:
        refusal = daily_loss_refusal(limits.daily_loss_limit_usd, realized_day(bot.pk, now), now)
    if refusal is None and limits.max_open_positions is not None:
        count = Position.objects.filter(bot_id=bot.pk, status=PositionStatus.OPEN).count()
        refusal = max_open_refusal(limits.max_open_positions, count)
    if refusal is None and limits.cooldown_s is not None:
        refusal = cooldown_refusal(limits.cooldown_s, _last_open_at(bot.pk), now)
    if refusal is None:
        refusal = max_order_refusal(limits.max_order_usd, requested_usd)
    return refusal


def check_open(bot: Bot, requested_usd: Decimal, *, now: dt.datetime | None = None) -> None:
    """Refuse an open that breaks one of the bot's risk limits (a RiskLimitReached, nothing is
    sent). Call inside the preflight transaction with the bot row locked."""
    refusal = open_refusal(bot, requested_usd, now=now)
    if refusal is not None:
        raise refusal


def daily_loss_halts(bots: list[Bot], *, now: dt.datetime | None = None) -> dict[int, str]:
    """The bots whose daily loss limit halts opens now, each with the reason the pages show.
    Three queries whatever the number of bots; none when no bot has the limit."""
    limited = {b.pk: b for b in bots if b.daily_loss_limit_usd is not None}
    if not limited:
        return {}
    now = now or timezone.now()
    halts: dict[int, str] = {}
    for bot_id, day in realized_days(limited, now).items():
        refusal = daily_loss_refusal(limited[bot_id].daily_loss_limit_usd, day, now)
        if refusal is not None:
            halts[bot_id] = refusal.message
    return halts


__all__ = [
    "RISK_FIELDS",
    "RiskLimits",
    "check_open",
    "daily_loss_halts",
    "open_refusal",
    "parse_risk_limits",
    "realized_today",
]
