"""The budget service: the only place in Egis that does budget math.

    available = initial_budget_usd - SUM(size_usd WHERE bot_id = X AND status = open)

Only the internal `positions` table is read, only open rows, an empty sum is 0, and the result is
exact: sizes are stored as scaled integers (egis.core.fields), so SUM is integer arithmetic on
every database. Decisions use the exact figures; the only rounding is for display, it is defined
once here (`shown_hold`, `display_figures`), and the trace says so.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal

from django.conf import settings
from django.db.models import BigIntegerField, Sum
from django.db.models.expressions import RawSQL

from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.core.money import CENT, shown_size, usd_display, usd_str
from egis.core.rows import RowSum
from egis.ledger.errors import NotEnoughBudget
from egis.ledger.models import Position, PositionStatus

logger = logging.getLogger("egis.budget")


@dataclass(frozen=True)
class BudgetDisplay:
    """The three figures as a person sees them: whole cents that always add up."""

    initial_budget_usd: Decimal
    reserved_usd: Decimal
    available_usd: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "initial_budget_usd": f"{self.initial_budget_usd:.2f}",
            "reserved_usd": f"{self.reserved_usd:.2f}",
            "available_usd": f"{self.available_usd:.2f}",
        }


def shown_hold(size_usd: Decimal) -> Decimal:
    """The one rounding rule for a shown position size: the whole cents it blocks, i.e. its size
    rounded *up* to the cent ($5.931 shows as $5.94). Every position row shows its size so, and
    the shown Reserved is the sum of these shown holds (`SHOWN_HOLD_CENTS_SQL` is the same rule
    in SQL), so the rows on a screen add up to the Reserved next to them."""
    return shown_size(size_usd)  # egis.core.money: the same rule for a fill's shown value


# `shown_hold` in whole cents, in SQL on the scaled-integer column (egis.core.fields stores
# size_usd x 10**places): integer division rounds a non-negative value down, so adding one cent
# minus one unit first rounds it up. Sizes are never negative (positions_sizes_nonnegative).
# A constant built from integers: no input ever reaches this SQL text.
_UNITS_PER_CENT = 10 ** (Position._meta.get_field("size_usd").places - 2)
SHOWN_HOLD_CENTS_SQL = f"(size_usd + {_UNITS_PER_CENT - 1}) / {_UNITS_PER_CENT}"


def _cents(count: int | None) -> Decimal:
    return Decimal(count or 0).scaleb(-2)


def display_figures(initial_usd: Decimal, reserved_shown_usd: Decimal) -> BudgetDisplay:
    """The one rounding rule for shown budget figures (pages, API, CLI).

    `reserved_shown_usd` is the sum of the open positions' shown holds (`shown_hold`: each size
    rounded *up* to the cent), so the shown Reserved is the sum of the shown rows. Available is
    *derived*: shown initial minus shown reserved. So the three shown figures always add up
    (Reserved + Available = Initial, to the cent: rounding each figure on its own showed
    $5.93 + $94.06 against $100.00), and Available never overstates what can be spent: a hold of
    $5.931 shows as $5.94 reserved and $94.06 available, and an open of $94.06 is indeed
    affordable (exact available 94.069), while $94.07 would not be. Rounding reserved half-even
    ($5.93) would have shown $94.07.
    Initial is stored in whole cents (the input grammar allows two decimals); a legacy sub-cent
    value is rounded down, again so that Available is never shown higher than it is.
    Comparisons (ensure_affordable, ensure_covers_held) always use the exact figures.
    """
    initial = initial_usd.quantize(CENT, rounding=ROUND_FLOOR)
    reserved_shown = reserved_shown_usd.quantize(CENT, rounding=ROUND_CEILING)
    return BudgetDisplay(initial, reserved_shown, initial - reserved_shown)


@dataclass(frozen=True)
class Budget:
    bot_id: int
    initial_budget_usd: Decimal
    reserved_usd: Decimal
    available_usd: Decimal
    reserved_shown_usd: Decimal  # the sum of the open positions' shown holds (`shown_hold`)

    @property
    def display(self) -> BudgetDisplay:
        return display_figures(self.initial_budget_usd, self.reserved_shown_usd)

    def as_json(self) -> dict[str, object]:
        """Exact figures (for scripts and decisions) and `display`: what every screen shows."""
        return {
            "bot_id": self.bot_id,
            "initial_budget_usd": usd_str(self.initial_budget_usd),
            "reserved_usd": usd_str(self.reserved_usd),
            "available_usd": usd_str(self.available_usd),
            "display": self.display.as_json(),
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
# The same statement sums the shown holds (a function of size_usd: still answered by the index).
_OPEN_SIZE_SUM = RowSum(
    Position,
    "size_usd",
    f"bot_id = %s AND status = '{PositionStatus.OPEN}'",
    sqlite_index="positions_open_by_bot",
    also=(SHOWN_HOLD_CENTS_SQL,),
)


def _reserved_sums(bot_id: int) -> tuple[Decimal, Decimal]:
    """(exact reserved, shown reserved): one statement."""
    total, shown_cents = _OPEN_SIZE_SUM.sums(bot_id)
    return (total if total is not None else Decimal(0)), _cents(shown_cents)


def available(bot: Bot) -> Decimal:
    return get_budget(bot).available_usd


def get_budget(bot: Bot, *, debug: bool = False) -> Budget:
    """The three figures. With EGIS_DEBUG_BUDGET (or `debug`), also emits the trace as a log."""
    if debug or settings.EGIS_DEBUG_BUDGET:
        return explain(bot).budget
    return _budget(bot, *_reserved_sums(bot.pk))


def _budget(bot: Bot, reserved_total: Decimal, reserved_shown: Decimal) -> Budget:
    return Budget(
        bot.pk,
        bot.initial_budget_usd,
        reserved_total,
        bot.initial_budget_usd - reserved_total,
        reserved_shown,
    )


def get_budgets(bots: list[Bot]) -> dict[int, Budget]:
    """The same three figures for many bots with one grouped query (dashboards: no N+1)."""
    totals = {
        row["bot_id"]: (row["total"] or Decimal(0), _cents(row["shown_cents"]))
        for row in Position.objects.filter(
            bot_id__in=[b.pk for b in bots], status=PositionStatus.OPEN
        )
        .values("bot_id")
        .annotate(
            total=Sum("size_usd"),
            shown_cents=Sum(
                RawSQL(SHOWN_HOLD_CENTS_SQL, ()),  # noqa: S611 (a constant, no input in it)
                output_field=BigIntegerField(),
            ),
        )
        .order_by()
    }
    if settings.EGIS_DEBUG_BUDGET:
        return {bot.pk: explain(bot).budget for bot in bots}
    zero = (Decimal(0), Decimal(0))
    return {bot.pk: _budget(bot, *totals.get(bot.pk, zero)) for bot in bots}


def explain(bot: Bot) -> BudgetTrace:
    """The same computation, step by step, from the open rows themselves."""
    rows = list(
        Position.objects.filter(bot_id=bot.pk, status=PositionStatus.OPEN)
        .order_by("id")
        .values("id", "side", "size_usd", "requested_size_usd", "qty")
    )
    # The admin's Debug list on the bot page: plain words, no table or column names (the
    # figures and the two cross-checks are the point, not how they are stored).
    steps = [
        f"Bot #{bot.pk}: initial budget {usd_str(bot.initial_budget_usd)} (exact, as stored)",
        f"{len(rows)} open position(s) of this bot, from Egis's own records; nothing is read "
        "from the exchange",
    ]
    total = Decimal(0)
    shown_total = Decimal(0)
    for row in rows:
        total += row["size_usd"]
        shown_total += shown_hold(row["size_usd"])
        steps.append(
            f"+ position #{row['id']}: size {usd_str(row['size_usd'])} "
            f"(requested {usd_str(row['requested_size_usd'])}; shown "
            f"{usd_display(shown_hold(row['size_usd']))}), running total {usd_str(total)}"
        )
    sql_total, sql_shown = _reserved_sums(bot.pk)
    steps.append(
        f"reserved = {usd_str(total)} (0 with no open position; the database's own total "
        f"gives {usd_str(sql_total)}: {'equal' if sql_total == total else 'DIFFERENT'})"
    )
    avail = bot.initial_budget_usd - total
    steps.append(
        f"available = {usd_str(bot.initial_budget_usd)} - {usd_str(total)} = {usd_str(avail)} "
        "(exact, no rounding)"
    )
    shown = display_figures(bot.initial_budget_usd, shown_total)
    steps.append(
        f"On the page: reserved {usd_display(shown.reserved_usd)} (each position's size rounded "
        f"up to the cent, then added; the database's own total gives "
        f"{usd_display(sql_shown)}: {'equal' if sql_shown == shown_total else 'DIFFERENT'}), "
        f"available {usd_display(shown.available_usd)} = {usd_display(shown.initial_budget_usd)} "
        f"- {usd_display(shown.reserved_usd)} (so the shown figures add up and never overstate "
        "what can be spent; the budget checks use the exact values)"
    )
    trace = BudgetTrace(
        budget=Budget(bot.pk, bot.initial_budget_usd, total, avail, shown_total),
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


class BudgetBelowHeld(UserFacingError):
    """A new budget lower than what the bot's open positions (and in-flight opens) hold."""

    code = "budget_below_held"
    http_status = 409
    field = "budget_usd"

    def __init__(self, *, budget_usd: Decimal, held_usd: Decimal, held_shown_usd: Decimal) -> None:
        shown = display_figures(budget_usd, held_shown_usd)
        super().__init__(
            f"Budget {usd_display(shown.initial_budget_usd)} is below the "
            f"{usd_display(shown.reserved_usd)} held by open positions"
        )
        self.details = {"budget_usd": usd_str(budget_usd), "held_usd": usd_str(held_usd)}


def ensure_covers_held(bot: Bot, new_initial_usd: Decimal) -> None:
    """Refuse a budget below what is held now (the exact sum). Call with the bot row locked, so
    that no open can add a hold between this check and the write of the new budget."""
    held, held_shown = _reserved_sums(bot.pk)
    if new_initial_usd < held:
        raise BudgetBelowHeld(budget_usd=new_initial_usd, held_usd=held, held_shown_usd=held_shown)


def amount_for_percent(bot: Bot, percent: Decimal) -> Decimal:
    """`percent` of the bot's available budget now, exact, rounded down to the cent (never more
    than what is available). The open that uses it is checked again with the bot locked."""
    share = get_budget(bot).available_usd * percent / Decimal(100)
    if share <= 0:
        return Decimal("0.00")
    return share.quantize(CENT, rounding=ROUND_DOWN)
