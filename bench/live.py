"""Live screens (issue 13): what one refresh of an open page costs the server, in time and bytes.

    .venv/bin/python bench/live.py [--closes 300] [--requests 200]

An open bot page (and the Bots list) asks every EGIS_LIVE_REFRESH_SECONDS for its live props by an
Inertia partial reload (egis/web/live.py). This prints, for the full render and for the refresh,
the server time per request (p50/p99, Django's test client in this process: middleware, view,
selectors and JSON, no network) and the body size (raw and gzip), on a fresh SQLite database
with 10 bots, one of them with 3 open positions, `--closes` closed ones and a full price history
(EGIS_PRICE_HISTORY_POINTS points). It also times one worker tick (price store + history prune).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RENDER_ONCE = "open_form_key,secret,flash,errors,auth"
# The bot page's timed refresh also leaves out what changes only with a close (show.tsx).
BOT_PAGE_EXCEPT = RENDER_ONCE + ",pnl_series,archivable"


def _setup(data_dir: str) -> None:
    os.environ["EGIS_DATA_DIR"] = data_dir
    os.environ["EGIS_PRICE_SOURCE"] = "simulated"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egis.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(closes: int) -> tuple[Any, Any]:
    from django.conf import settings

    from egis.accounts.services import user_create
    from egis.bots.services import bot_create
    from egis.ledger.pipeline import order_close, order_open
    from egis.venues.models import SymbolFilter
    from egis.venues.prices.sources import SimulatedPriceSource

    user, _ = user_create(username="bench", password="bench-pw-12345-xyz", role="user")
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    bots = [
        bot_create(
            owner=user, name=f"Bot {n}", venue="paper", symbol="ETHUSDT", budget_usd="100000"
        )
        for n in range(10)
    ]
    bot = bots[0]
    source = SimulatedPriceSource()
    for _ in range(settings.EGIS_PRICE_HISTORY_POINTS):
        source.advance("ETHUSDT")
    for _ in range(closes):
        opened = order_open(bot_id=bot.pk, side="long", size_usd="20")
        source.advance("ETHUSDT")
        order_close(bot_id=bot.pk, position_id=opened.position.pk)
    for _ in range(3):
        order_open(bot_id=bot.pk, side="long", size_usd="20")
    # The worker stores a price every EGIS_PRICE_TICK_SECONDS: spread the history that way (the
    # seeding above stored it within seconds, which the chart would fold into a few points).
    from datetime import timedelta

    from django.utils import timezone

    from egis.venues.models import PricePoint

    now = timezone.now()
    tick = timedelta(seconds=settings.EGIS_PRICE_TICK_SECONDS)
    for back, pk in enumerate(PricePoint.objects.order_by("-id").values_list("id", flat=True)):
        PricePoint.objects.filter(pk=pk).update(at=now - tick * back)
    return user, bot


def _measure(client: Any, url: str, headers: dict[str, str], n: int) -> dict[str, float]:
    times, size, zipped = [], 0, 0
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
        zipped = len(gzip.compress(response.content))
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "bytes": size,
        "gzip_bytes": zipped,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--closes", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="egis-bench-live-") as data_dir:
        _setup(data_dir)
        from django.conf import settings
        from django.test import Client

        from egis.venues.prices.ticker import prices_refresh

        user, bot = _seed(args.closes)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        inertia = {"HTTP_X_INERTIA": "true"}
        rows = []
        for label, url, component, except_ in (
            ("bot page", f"/bots/{bot.pk}", "bots/show", BOT_PAGE_EXCEPT),
            ("Bots list (10 bots)", "/", "bots/index", RENDER_ONCE),
        ):
            refresh = {
                **inertia,
                "HTTP_X_INERTIA_PARTIAL_COMPONENT": component,
                "HTTP_X_INERTIA_PARTIAL_EXCEPT": except_,
            }
            rows.append((f"{label}: full render", _measure(client, url, inertia, args.requests)))
            rows.append((f"{label}: refresh", _measure(client, url, refresh, args.requests)))
        ticks = []
        for _ in range(100):
            started = time.perf_counter()
            prices_refresh()
            ticks.append((time.perf_counter() - started) * 1000)
        print(
            f"\nLive screens: {args.closes} closed + 3 open positions on the bot, "
            f"{settings.EGIS_PRICE_HISTORY_POINTS} history points, {args.requests} requests each"
        )
        print(f"{'request':34} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8} {'gzip B':>8}")
        for label, m in rows:
            print(
                f"{label:34} {m['p50_ms']:8.1f} {m['p99_ms']:8.1f} "
                f"{m['bytes']:8d} {m['gzip_bytes']:8d}"
            )
        ticks.sort()
        tick_p50 = statistics.median(ticks)
        print(f"worker tick (store + prune): p50 {tick_p50:.2f} ms, p99 {ticks[98]:.2f} ms")
        refresh_s = settings.EGIS_LIVE_REFRESH_SECONDS
        bot_refresh = rows[1][1]
        share = bot_refresh["p50_ms"] / refresh_s / 10
        hourly = bot_refresh["gzip_bytes"] * 3600 / refresh_s / 1e6
        print(
            f"one open bot page every {refresh_s} s: {share:.2f} % of one server thread, "
            f"{hourly:.1f} MB/h gzip"
        )


if __name__ == "__main__":
    main()
