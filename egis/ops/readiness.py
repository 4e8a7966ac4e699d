"""What `/readyz` checks: the database answers, every migration is applied, the queue answers,
and the price feed is fresh. Each check is a name and a yes/no: the answer names the failing
checks and nothing else (no error text, versions or addresses)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from egis.ops.selectors import price_oldest_live_update

logger = logging.getLogger("egis.ops")

# Once a process has seen every migration applied it stays so until the next deploy, which
# restarts it: the migration graph is read from disk once, not on every probe.
_migrations_seen_applied = False


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def migrations_applied() -> bool:
    global _migrations_seen_applied
    if not _migrations_seen_applied:
        executor = MigrationExecutor(connection)
        targets = executor.loader.graph.leaf_nodes()
        _migrations_seen_applied = not executor.migration_plan(targets)
    return _migrations_seen_applied


def queue_answers() -> bool:
    # Reads the queue's length from its storage: Redis (EGIS_REDIS_URL) or Huey's SQLite file.
    return HUEY.pending_count() >= 0


STORED_FEEDS = ("simulated", "binance")


def price_feed_fresh() -> bool:
    """The worker stores the feed's price of every symbol a live bot trades every few seconds
    (the simulated walk, or Binance's public mark price): one older than
    EGIS_READY_PRICE_MAX_AGE_S means no worker is ticking it, or Binance stopped answering. A fixed
    price is set by hand and cannot go stale; with no live bot there is nothing to be stale."""
    if settings.EGIS_PRICE_SOURCE not in STORED_FEEDS:
        return True
    symbols, stalest = price_oldest_live_update(settings.EGIS_PRICE_SOURCE)
    if not symbols or stalest is None:
        return True
    return timezone.now() - stalest <= timedelta(seconds=settings.EGIS_READY_PRICE_MAX_AGE_S)


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database_answers,
    "migrations": migrations_applied,
    "queue": queue_answers,
    "prices": price_feed_fresh,
}


def readiness() -> list[str]:
    """The names of the failing checks (empty: ready). A check that raises has failed."""
    failing = []
    for name, check in CHECKS.items():
        try:
            ok = check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            ok = False
        if not ok:
            failing.append(name)
    return failing
