"""The bot page's realized-PnL chart: the last closes of a bot, each with the running total of the
shown figures (egis.ledger.pnl: REALIZED_ROWS, `shown_net`), read without the bot's history.

How realized PnL is SHOWN, defined once: each closed position's net (realized_pnl_usd - fees_usd)
is shown in whole cents, rounded half away from zero (`shown_net`), and every total (the bot
list, the bot header, the chart's points) is the sum of its rows' shown cents, so the closed rows
on a screen add up to the total next to them. The exact figure is in the hint.

Cost: one read of the window (the last PNL_POINTS closes, through the index on (bot, closed_at))
and two reads of the bot's kept totals (egis.portfolio.totals), whatever the number of closes;
the window's rows come straight off the cursor (the ORM's per-row converters and dicts cost more
than the read itself: bench/pages.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from egis.bots.models import Bot
from egis.ledger.models import Position
from egis.ledger.pnl import REALIZED_ROWS
from egis.portfolio.lines import cents_text
from egis.portfolio.totals import ClosedTotals, totals_version

PNL_POINTS = 500  # the chart's last closes; the running total before them is summed exactly

# `shown_net` in whole cents, in SQL on the scaled-integer columns (egis.core.fields: value x
# 10**places; integer division truncates toward zero on SQLite and PostgreSQL alike, so the
# magnitude is rounded half up and the sign put back).
_PNL_PLACES = Position._meta.get_field("realized_pnl_usd").places
assert Position._meta.get_field("fees_usd").places == _PNL_PLACES
_UNITS_PER_CENT = 10 ** (_PNL_PLACES - 2)
SHOWN_NET_CENTS_SQL = (
    "CASE WHEN realized_pnl_usd >= fees_usd "
    f"THEN (realized_pnl_usd - fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT} "
    f"ELSE -((fees_usd - realized_pnl_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT}) END"
)

# `shown_fee_cents` in SQL, by the same rule.
SHOWN_FEE_CENTS_SQL = (
    f"CASE WHEN fees_usd >= 0 THEN (fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT} "
    f"ELSE -((-fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT}) END"
)


def shown_net_sum(**extra: Any) -> Sum:
    # A constant built from integers: no input ever reaches this SQL text.
    sql = RawSQL(SHOWN_NET_CENTS_SQL, ())  # noqa: S611
    return Sum(sql, output_field=BigIntegerField(), **extra)


# One close of the window: (position id, closed_at as the driver returns it, shown net in whole
# cents). closed_at becomes text once per point (`_iso`).
_Close = tuple[int, Any, int]


def window_query(bot_id: int, points: int) -> QuerySet[Position, Any]:
    """The bot's last `points` closes (REALIZED_ROWS), newest first: id, closed_at and the shown
    net in whole cents, by the database (SHOWN_NET_CENTS_SQL). The index on (bot, closed_at)
    gives them in order; tests/web/test_history_reads.py reads the plan."""
    return (
        Position.objects.filter(REALIZED_ROWS, bot_id=bot_id)
        .order_by(F("closed_at").desc(nulls_last=True), "-id")
        .annotate(cents=RawSQL(SHOWN_NET_CENTS_SQL, ()))  # noqa: S611 (a constant)
        .values_list("id", "closed_at", "cents")[:points]
    )


def _window(bot_id: int, points: int) -> list[_Close]:
    """window_query's rows, oldest first, read off the cursor: the same statement the ORM sends,
    without its per-row converters (closed_at is converted by `_iso`, once per point)."""
    qs = window_query(bot_id, points)
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[_Close] = cursor.fetchall()
    rows.reverse()
    return rows


def _aware(at: Any, zone: Any) -> datetime | None:
    """closed_at as the ORM gives it, converted the way Django's backends do: SQLite stores UTC
    text without a zone (Django registers a parser with the driver, so it may already be a
    datetime), made aware in the connection's zone; PostgreSQL returns an aware datetime."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


def _iso(at: Any, zone: Any) -> str:
    """`_aware(at).isoformat()` ("" for none). In UTC (Django's zone for SQLite's stored text)
    the suffix is "+00:00" on the naive value's text, without making a datetime per point."""
    if zone is UTC and isinstance(at, datetime) and at.tzinfo is None:
        return at.isoformat() + "+00:00"
    aware = _aware(at, zone)
    return aware.isoformat() if aware else ""


def _earlier_from_totals(
    bot: Bot, window: Sequence[_Close], kept: ClosedTotals, version: object
) -> tuple[int, int] | None:
    """(count, shown cents) of the closes before the chart's window, from the maintained totals
    (egis.portfolio) minus the window: no read of the history. Used only when the totals did
    not move while the window was read (same version before and after), else None (the caller
    sums instead)."""
    if totals_version(bot.pk) != (kept, version):
        return None
    cents = sum(row[2] for row in window)
    return kept.closed_count - len(window), kept.shown_net_cents - cents


def _earlier_by_sum(bot: Bot, window: Sequence[_Close], zone: Any) -> tuple[int, int]:
    first_id, raw_at, _ = window[0]
    first_at = _aware(raw_at, zone)
    # Rows without a close time (none are written so; older data might have some) sort first.
    if first_at is None:
        before = Q(closed_at__isnull=True, id__lt=first_id)
    else:
        before = (
            Q(closed_at__isnull=True)
            | Q(closed_at__lt=first_at)
            | Q(closed_at=first_at, id__lt=first_id)
        )
    found = (
        Position.objects.filter(REALIZED_ROWS, bot=bot)
        .filter(before)
        .aggregate(n=Count("id"), cents=shown_net_sum())
    )
    return int(found["n"] or 0), int(found["cents"] or 0)


def pnl_series(bot: Bot, *, points: int = PNL_POINTS) -> list[dict[str, Any]]:
    """Cumulative realized PnL (REALIZED_ROWS, the one definition), one point per closed
    position, oldest first: the last `points` closes only (a year of history is not sent to a
    phone), each with its close number `n`. Figures are the shown ones (`shown_net`: each close in
    whole cents, totals summing them): the line starts from the shown net of every earlier close:
    the maintained per-bot totals (egis.portfolio) minus the window, when the totals did not move
    while the window was read, else summed by the database over the closes before the window (a
    close landing meanwhile is after it, so never counted twice); the last point is the bot's
    shown realized PnL.
    """
    kept, version = totals_version(bot.pk)
    window = _window(bot.pk, points)
    if not window:
        return []
    earlier = _earlier_from_totals(bot, window, kept, version)
    zone = connections[Position.objects.db].timezone
    if earlier is None:
        earlier = _earlier_by_sum(bot, window, zone)
    n, running = earlier
    out = []
    for pk, raw_at, cents in window:
        n += 1
        running += cents
        out.append(
            {
                "n": n,
                "position_id": pk,
                "closed_at": _iso(raw_at, zone),
                "pnl_usd": cents_text(cents),
                "cumulative_usd": cents_text(running),
            }
        )
    return out
