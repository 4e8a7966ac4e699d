"""The order latency histogram: every open and close, whichever edge or job asked for it, timed
around the pipeline's public entry points (`order_open`, `order_close`).

One histogram per process; with PROMETHEUS_MULTIPROC_DIR set (the deploy files set it), every
process of a host writes its samples there and `/metrics` sums them (prometheus_client's
multiprocess mode), so a scrape of one web instance sees all of its gunicorn workers."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import Histogram

F = TypeVar("F", bound=Callable[..., Any])

ORDER_SECONDS = Histogram(
    "egis_order_seconds",
    "Time of one order through the pipeline (preflight, venue call, settle), by intent and "
    "outcome (the order's status, or refused when no order was booked)",
    ["intent", "outcome"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def order_timed(intent: str) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            outcome = "refused"
            try:
                result = fn(*args, **kwargs)
                outcome = str(result.order.status)
                return result
            finally:
                ORDER_SECONDS.labels(intent, outcome).observe(time.perf_counter() - started)

        return timed  # type: ignore[return-value]

    return decorate
