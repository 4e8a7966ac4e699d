"""The budget service: the only place in Egis that does budget math.

    available = initial_budget_usd - SUM(size_usd WHERE bot_id = X AND status = open)

Only the internal `positions` table is read, only open rows, an empty sum is 0, and the result is
exact: sizes are stored as scaled integers (egis.core.fields), so SUM is integer arithmetic on
every database. No rounding happens here; the only rounding is for display, and the trace says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from egis.bots.models import Bot
from egis.core.money import usd_display, usd_str
from egis.core.rows import RowSum
from egis.ledger.errors import NotEnoughBudget
from egis.ledger.models import Position, PositionStatus

logger = logging.getLogger("egis.budget")


@dataclass(frozen=True)
class Budget:
    bot_id: int
    initial_budget_usd: Decimal
    reserved_usd: Decimal
    available_usd: Decimal

    def as_json(self) -> dict[str, object]:
        return {
            "bot_id": self.bot_id,
            "initial_budget_usd": usd_str(self.initial_budget_usd),
            "reserved_usd": usd_str(self.reserved_usd),
            "available_usd": usd_str(self.available_usd),
        }


@dataclass(frozen=True)
class BudgetTrace:
    budget: Budget
    open_positions: list[dict[str, str | int]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            **self.budget.as_json(),
            "open_positions": self.open_positions,
            "steps": self.steps,
        }


# Only open rows are read: the partial index `positions_open_by_bot` (bot_id, size_usd) WHERE
# status = 'open' answers the sum from the index alone, however many closed rows pile up. The
# status is written literally because a partial index is never used with a bound parameter.
_OPEN_SIZE_SUM = RowSum(
    Position,
    "size_usd",
    f"bot_id = %s AND status = '{PositionStatus.OPEN}'",
    sqlite_index="positions_open_by_bot",
)


def _reserved_sum(bot_id: int) -> Decimal:
    total = _OPEN_SIZE_SUM.value(bot_id)
    return total if total is not None else Decimal(0)


def reserved(bot: Bot) -> Decimal:
    return get_budget(bot).reserved_usd


def available(bot: Bot) -> Decimal:
    return get_budget(bot).available_usd


def get_budget(bot: Bot, *, debug: bool = False) -> Budget:
    """The three figures. With EGIS_DEBUG_BUDGET (or `debug`), also emits the trace as a log."""
    if debug or settings.EGIS_DEBUG_BUDGET:
        return explain(bot).budget
    return _budget(bot, _reserved_sum(bot.pk))


def _budget(bot: Bot, reserved_total: Decimal) -> Budget:
    return Budget(
        bot.pk, bot.initial_budget_usd, reserved_total, bot.initial_budget_usd - reserved_total
    )


def get_budgets(bots: list[Bot]) -> dict[int, Budget]:
    """The same three figures for many bots with one grouped query (dashboards: no N+1)."""
    totals = {
        row["bot_id"]: row["total"]
        for row in Position.objects.filter(
            bot_id__in=[b.pk for b in bots], status=PositionStatus.OPEN
        )
        .values("bot_id")
        .annotate(total=Sum("size_usd"))
        .order_by()
    }
    if settings.EGIS_DEBUG_BUDGET:
        return {bot.pk: explain(bot).budget for bot in bots}
    return {bot.pk: _budget(bot, totals.get(bot.pk) or Decimal(0)) for bot in bots}


def explain(bot: Bot) -> BudgetTrace:
    """The same computation, step by step, from the open rows themselves."""
    rows = list(
        Position.objects.filter(bot_id=bot.pk, status=PositionStatus.OPEN)
        .order_by("id")
        .values("id", "side", "size_usd", "requested_size_usd", "qty")
    )
    steps = [
        f"bot #{bot.pk}: initial budget {usd_str(bot.initial_budget_usd)} (exact)",
        f"{len(rows)} open position(s) in `positions` (status = open, bot_id = {bot.pk}); "
        "no exchange table is read",
    ]
    total = Decimal(0)
    for row in rows:
        total += row["size_usd"]
        steps.append(
            f"+ position #{row['id']} size_usd {usd_str(row['size_usd'])} "
            f"(requested {usd_str(row['requested_size_usd'])}) -> running sum {usd_str(total)}"
        )
    sql_total = _reserved_sum(bot.pk)
    steps.append(
        f"reserved = {usd_str(total)} (an empty sum is 0; SQL SUM over the scaled-integer column "
        f"gives {usd_str(sql_total)}: {'equal' if sql_total == total else 'DIFFERENT'})"
    )
    avail = bot.initial_budget_usd - total
    steps.append(
        f"available = {usd_str(bot.initial_budget_usd)} - {usd_str(total)} = {usd_str(avail)} "
        "(exact decimal subtraction, no rounding)"
    )
    steps.append(
        f"display only: {usd_display(avail, toward_zero=True)} (truncated to cents toward zero; "
        "comparisons use the exact value)"
    )
    trace = BudgetTrace(
        budget=Budget(bot.pk, bot.initial_budget_usd, total, avail),
        open_positions=[
            {
                "position_id": row["id"],
                "side": row["side"],
                "size_usd": usd_str(row["size_usd"]) or "0.00",
                "requested_size_usd": usd_str(row["requested_size_usd"]) or "0.00",
                "qty": str(row["qty"]),
            }
            for row in rows
        ],
        steps=steps,
    )
    if settings.EGIS_DEBUG_BUDGET:
        logger.info("budget %s", json.dumps(trace.as_json(), sort_keys=True))
    return trace


def ensure_affordable(bot: Bot, requested_usd: Decimal) -> Budget:
    """Refuse an open whose hold would exceed the available budget. Call with the bot locked."""
    budget = get_budget(bot)
    if requested_usd > budget.available_usd:
        raise NotEnoughBudget(available=budget.available_usd, requested=requested_usd)
    return budget
