"""The bot page and the Bots list cost the same after a long closed history (issue 13, benchmark
8), pinned without timing: the number of SQL statements does not change with the number of
closed positions, and no statement over positions walks a bot's whole history (SQLite's
EXPLAIN QUERY PLAN of each one). bench/pages.py measures the time."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egis.bots.chart import marker_trades
from egis.bots.pnl_series import window_query
from egis.ledger.models import Position, PositionStatus
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.totals_check import totals_rebuild

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY_TABLES = ("positions", "orders", "position_events")


def _closed_history(bot, count: int, *, start) -> None:
    """`count` closed positions of the bot, one a minute from `start` (bulk, as bench/pages.py
    loads them), then the kept totals rebuilt as the migration's backfill does."""
    rows = [
        Position(
            bot=bot,
            symbol=bot.symbol,
            side="long",
            status=PositionStatus.CLOSED,
            requested_size_usd=Decimal("25"),
            size_usd=Decimal("25"),
            qty=Decimal("0.0085"),
            entry_price=Decimal("2934"),
            exit_price=Decimal("2940"),
            fees_usd=Decimal("0.0125"),
            realized_pnl_usd=Decimal(n % 7 - 3) / 10,
            close_reason="manual",
            closed_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    made = Position.objects.bulk_create(rows)
    for n, row in enumerate(made):  # opened_at is auto_now_add: set it to the close's minute
        Position.objects.filter(pk=row.pk).update(opened_at=start + timedelta(minutes=n))
    totals_rebuild(bot.pk)


def _statements(client, url: str) -> list[str]:
    client.get(url, HTTP_X_INERTIA="true")  # warm: sessions, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_X_INERTIA="true")
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _plan(sql: str, params: tuple = ()) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def _history_walks(statements: list[str]) -> list[tuple[str, list[str]]]:
    """Statements that read a history table without bounding the rows they visit: a SCAN, an
    aggregate or a sort over a search by bot alone. A search by bot alone is bounded only
    when the index gives the rows in the statement's order and a LIMIT stops it (the newest
    page of closes, the chart's window)."""
    bad = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = _plan(sql)
        for line in plan:
            table = next((t for t in HISTORY_TABLES if f" {t} " in f"{line} "), None)
            if table is None:
                continue
            if "positions_open_by_bot" in line:  # a partial index of the open rows only
                continue
            if line.startswith("SCAN"):
                bad.append((sql, plan))
            elif line.endswith("(bot_id=?)"):
                ordered_walk = "LIMIT" in sql.upper() and not any("TEMP B-TREE" in x for x in plan)
                aggregate = any(f in sql.upper() for f in ("COUNT(", "SUM(", "MAX(", "MIN("))
                if aggregate or not ordered_walk:
                    bad.append((sql, plan))
    return bad


def _a_trade_in_the_window(bot, set_price):
    """One round trip now (inside the chart's price window) and one open position."""
    set_price("ETHUSDT", "2934.56")
    first = order_open(bot_id=bot.pk, side="long", size_usd="20").position
    set_price("ETHUSDT", "2950")
    order_close(bot_id=bot.pk, position_id=first.pk)
    set_price("ETHUSDT", "2940")
    order_open(bot_id=bot.pk, side="short", size_usd="20")
    set_price("ETHUSDT", "2945")


def test_the_bot_page_and_the_list_send_the_same_statements_after_a_long_history(
    as_bob, paper_bot, set_price
):
    _a_trade_in_the_window(paper_bot, set_price)
    page, listing = f"/bots/{paper_bot.pk}", "/"
    before = {url: _statements(as_bob, url) for url in (page, listing)}

    # 600 older closes: more than the chart's window (500) and many pages of the closed list.
    _closed_history(paper_bot, 600, start=timezone.now() - timedelta(days=30))
    after = {url: _statements(as_bob, url) for url in (page, listing)}

    for url in (page, listing):
        assert len(after[url]) == len(before[url]), url
        walks = _history_walks(after[url])
        assert walks == [], "\n".join(f"{sql}\n  {plan}" for sql, plan in walks)
    props = json.loads(as_bob.get(page, HTTP_X_INERTIA="true").content)["props"]
    assert props["closed"]["total"] == 601
    assert len(props["pnl_series"]) == 500
    assert props["pnl_series"][-1]["n"] == 601


def test_the_admins_bot_page_and_list_also_read_no_history(as_alice, paper_bot, set_price):
    # An admin's bot page adds the archive list, the budget trace and the close-all plan.
    _a_trade_in_the_window(paper_bot, set_price)
    page, listing = f"/bots/{paper_bot.pk}", "/"
    before = {url: _statements(as_alice, url) for url in (page, listing)}
    _closed_history(paper_bot, 600, start=timezone.now() - timedelta(days=30))
    after = {url: _statements(as_alice, url) for url in (page, listing)}
    for url in (page, listing):
        assert len(after[url]) == len(before[url]), url
        walks = _history_walks(after[url])
        assert walks == [], "\n".join(f"{sql}\n  {plan}" for sql, plan in walks)
    props = json.loads(as_alice.get(page, HTTP_X_INERTIA="true").content)["props"]
    assert len(props["archivable"]) == 50


def test_the_chart_markers_search_the_window_not_the_history(paper_bot):
    plan = _plan(*marker_trades(paper_bot.pk, timezone.now()).query.sql_with_params())
    searches = [line for line in plan if " positions " in f"{line} "]
    assert searches, plan
    # Each arm of the OR is its own index search bounded by closed_at (a range, or NULL for
    # the rows not closed): never every position of the bot.
    assert all("closed_at" in line for line in searches), plan
    assert not any(line.startswith("SCAN") for line in plan), plan


def test_the_pnl_window_walks_the_index_in_order(paper_bot):
    plan = _plan(*window_query(paper_bot.pk, 500).query.sql_with_params())
    assert any("positions_closed_by_bot" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line or line.startswith("SCAN") for line in plan), plan


def test_the_markers_are_the_trades_opened_or_closed_in_the_window(paper_bot, set_price):
    now = timezone.now()
    _closed_history(paper_bot, 3, start=now - timedelta(days=2))  # before the window: none
    older = Position.objects.filter(bot=paper_bot).order_by("id")
    # Opened before the window, closed inside it: its exit only.
    Position.objects.filter(pk=older[2].pk).update(closed_at=now + timedelta(seconds=1))
    set_price("ETHUSDT", "2934.56")  # the window starts around here
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    cancelled = Position.objects.create(
        bot=paper_bot,
        symbol="ETHUSDT",
        side="long",
        status=PositionStatus.CANCELLED,
        requested_size_usd=Decimal("20"),
        size_usd=Decimal("0"),
        entry_price=Decimal("2934"),
    )
    start = now - timedelta(minutes=1)
    found = {row["id"] for row in marker_trades(paper_bot.pk, start)}
    assert found == {older[2].pk, opened.pk}
    assert cancelled.pk not in found
    # From before the history: its three closes and the open one, never the cancelled one.
    assert len(list(marker_trades(paper_bot.pk, now - timedelta(days=3)))) == 4


def test_the_last_signal_acted_is_one_index_seek_per_bot_and_the_newest_executed(paper_bot):
    from egis.bots.services import bot_create
    from egis.signals.models import Signal, SignalHook, SignalStatus
    from egis.signals.selectors import last_signal_acted

    other = bot_create(
        owner=paper_bot.owner, name="quiet", venue="paper", symbol="ETHUSDT", budget_usd="10"
    )
    hook = SignalHook.objects.create(bot=paper_bot, hook_id="h-1", secret_encrypted="x")
    now = timezone.now()

    def signal(n: int, status: str, processed) -> None:
        Signal.objects.create(
            bot=paper_bot,
            hook=hook,
            received_at=now,
            dedupe_key=f"id:{n}",
            status=status,
            processed_at=processed,
        )

    signal(1, SignalStatus.EXECUTED, now - timedelta(minutes=5))
    signal(2, SignalStatus.EXECUTED, now - timedelta(minutes=1))  # the newest executed
    signal(3, SignalStatus.EXECUTED, now - timedelta(minutes=3))  # a later id, finished earlier
    signal(4, SignalStatus.REJECTED, now)  # newer, but not acted on
    signal(5, SignalStatus.EXECUTED, None)  # no time: never the answer
    assert last_signal_acted([paper_bot.pk, other.pk]) == {
        paper_bot.pk: (now - timedelta(minutes=1)).isoformat()
    }

    with CaptureQueriesContext(connection) as captured:
        last_signal_acted([paper_bot.pk, other.pk])
    [statement] = [q["sql"] for q in captured.captured_queries]
    plan = _plan(statement)
    assert any("signals_acted_by_bot" in line for line in plan), plan
    assert not any(" signals " in f"{line} " and line.endswith("(bot_id=?)") for line in plan)


def test_the_pnl_windows_start_is_the_same_from_the_kept_totals_and_from_the_sum(paper_bot):
    from egis.bots import pnl_series as chart
    from egis.ledger.pnl import shown_net
    from egis.portfolio.totals import totals_version

    start = timezone.now() - timedelta(days=1)
    _closed_history(paper_bot, 12, start=start)
    rows = list(Position.objects.filter(bot=paper_bot).order_by("id"))
    # Two closes in the same second (the id breaks the tie) and an old row with no close time
    # (it sorts first), as older data may have.
    Position.objects.filter(pk=rows[7].pk).update(closed_at=rows[6].closed_at)
    Position.objects.filter(pk=rows[3].pk).update(closed_at=None)
    totals_rebuild(paper_bot.pk)

    ordered = [rows[3]] + [r for r in rows if r.pk != rows[3].pk]
    shown = [shown_net(r.realized_pnl_usd - r.fees_usd) for r in ordered]
    zone = connection.timezone
    for points in (1, 5, 11, 12):
        window = chart._window(paper_bot.pk, points)
        assert [pk for pk, _, _ in window] == [r.pk for r in ordered[-points:]]
        kept, version = totals_version(paper_bot.pk)
        from_totals = chart._earlier_from_totals(paper_bot, window, kept, version)
        by_sum = chart._earlier_by_sum(paper_bot, window, zone)
        before = sum(shown[: len(shown) - points], Decimal(0))
        assert from_totals == by_sum == (len(shown) - points, int(before * 100))
        series = chart.pnl_series(paper_bot, points=points)
        assert Decimal(series[-1]["cumulative_usd"]) == sum(shown, Decimal(0))
        # The ISO text the ORM's datetime gives (the cursor's value converted the same way).
        for point in series:
            at = Position.objects.get(pk=point["position_id"]).closed_at
            assert point["closed_at"] == (at.isoformat() if at else "")
        no_time = [r.pk == rows[3].pk for r in ordered][-points:]  # the first one only
        assert [p["closed_at"] == "" for p in series] == no_time
