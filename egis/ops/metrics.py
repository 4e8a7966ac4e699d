"""`/metrics` in Prometheus' text format, behind a bearer token (EGIS_METRICS_TOKEN).

Two kinds of figures. What the database knows (orders by status and venue, orders in flight,
open incidents, halted bots, the price feed's age, task failures, periodic runs) and the queue
depth are read at scrape time, so every web instance answers the same whichever host the work
happened on. The order latency histogram is counted where orders run (`egis.core.order_metrics`),
per process, summed over a host's processes by prometheus_client's multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from egis.ops import selectors
from egis.ops.readiness import STORED_FEEDS


class LedgerCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        orders = GaugeMetricFamily(
            "egis_orders", "Orders by status and venue", labels=["status", "venue"]
        )
        for status, venue, n in selectors.orders_by_status_and_venue():
            orders.add_metric([status, venue], n)
        yield orders
        yield GaugeMetricFamily(
            "egis_orders_in_flight",
            "Orders written but not settled (submitting or unknown)",
            value=selectors.orders_in_flight(),
        )
        yield GaugeMetricFamily(
            "egis_incidents_open",
            "Open incidents (pending reconciliations) waiting for a person",
            value=selectors.incidents_open(),
        )
        yield GaugeMetricFamily(
            "egis_bots_halted", "Bots halted for new opens", value=selectors.bots_halted()
        )
        source = settings.EGIS_PRICE_SOURCE
        if source in STORED_FEEDS:
            symbols, stalest = selectors.price_oldest_live_update(source)
            if symbols and stalest is not None:
                age = GaugeMetricFamily(
                    "egis_price_feed_age_seconds",
                    "Seconds since the stalest price of a symbol a live bot trades last moved",
                    labels=["source"],
                )
                age.add_metric([source], max(0.0, (timezone.now() - stalest).total_seconds()))
                yield age
        yield GaugeMetricFamily(
            "egis_queue_depth", "Jobs waiting in the work queue", value=HUEY.pending_count()
        )
        failures = CounterMetricFamily(
            "egis_task_failures", "Worker jobs that raised, by task", labels=["task"]
        )
        for task, n in selectors.task_failures_by_task():
            failures.add_metric([task], n)
        yield failures
        last_ok = GaugeMetricFamily(
            "egis_periodic_last_success_timestamp_seconds",
            "When each periodic task last finished well (Unix time)",
            labels=["task"],
        )
        for task, at in selectors.periodic_last_success():
            last_ok.add_metric([task], at.timestamp())
        yield last_ok


def metrics_text() -> bytes:
    registry = CollectorRegistry()
    registry.register(LedgerCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(registry) + generate_latest(REGISTRY)
