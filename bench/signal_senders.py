"""Benchmark 6's senders (bench/signals.py): 32 asyncio tasks in one load process, each posting
TradingView-style signals to its bot's webhook, closed loop or paced, with every 8th post a
retry of the previous one (same id). The lean client (bench/lean_http.py) by default;
`EGIS_BENCH_SENDER=aiohttp` for the sender of sessions 4-6."""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from common import percentile

SENDERS = 32
SIZE_USD = "25"
RETRY_EVERY = 8
JSON_HEADERS = {"Content-Type": "application/json"}


class _AiohttpClient:
    """aiohttp (EGIS_BENCH_SENDER=aiohttp, the sender of sessions 4-6): the session, with each
    hook's absolute URL made once."""

    def __init__(self, session: Any, base: Any) -> None:
        self.session = session
        self.base = base
        self.urls: dict[str, Any] = {}

    def request(self, hook_id: str, body: bytes) -> Any:
        url = self.urls.setdefault(
            hook_id, self.base.join(self.base.with_path(f"/hooks/{hook_id}"))
        )
        return url, body

    async def send(self, request: Any) -> tuple[int, bytes]:
        url, body = request
        async with self.session.post(url, data=body, headers=JSON_HEADERS) as response:
            return response.status, await response.read()


class _LeanClient:
    """The default sender: one POST per connection, its bytes made once (bench/lean_http.py)."""

    def __init__(self, base: str) -> None:
        from lean_http import LeanPoster

        self.poster = LeanPoster(base)

    def request(self, hook_id: str, body: bytes) -> bytes:
        return self.poster.request(f"/hooks/{hook_id}", body)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        return await self.poster.send(request)


class Tally:
    def __init__(self) -> None:
        self.answer_ms: list[float] = []
        self.status: dict[str, int] = {}
        self.errors: list[str] = []
        self.load: list[float] = []
        self.window = [0.0, 0.0]

    def count(self, key: str) -> None:
        self.status[key] = self.status.get(key, 0) + 1


async def _sender(
    client: Any, n: int, hook: dict[str, Any], deadline: float, t: Tally, interval: float
) -> None:
    """Closed loop (interval 0): post, wait for the answer, post again. Paced (interval > 0):
    post every `interval` seconds whatever the answers do, as alerts arrive; an answer's time
    counts from when the post was due, so a server that falls behind shows it (no coordinated
    omission)."""
    due = time.perf_counter() + interval * n / SENDERS
    cycle = [
        {"action": "open", "side": "long", "size_usd": SIZE_USD},
        {"action": "open", "side": "long", "size_usd": SIZE_USD},
        {"action": "close"},
    ]
    sent = 0
    last: Any = None
    while time.perf_counter() < deadline:
        if last is not None and sent % RETRY_EVERY == RETRY_EVERY - 1:
            request = last  # TradingView retrying: the same id again
        else:
            payload = {**cycle[sent % 3], "id": f"s{n}-{sent}", "secret": hook["secret"]}
            request = client.request(hook["hook_id"], json.dumps(payload).encode())
        sent += 1
        if interval:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            t0, due = due, due + interval
        else:
            t0 = time.perf_counter()
        try:
            code, text = await client.send(request)
        except Exception as exc:
            t.count("transport")
            if len(t.errors) < 20:
                t.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        t.answer_ms.append((time.perf_counter() - t0) * 1000)
        kind = json.loads(text).get("status", "") if code < 300 else ""
        t.count(f"{code} {kind}".strip())
        if code >= 300 and len(t.errors) < 20:
            t.errors.append(f"{code} {text[:200]!r}")
        last = request


async def _sample_load(deadline: float, t: Tally) -> None:
    while time.perf_counter() < deadline:
        t.load.append(os.getloadavg()[0])
        await asyncio.sleep(min(5.0, max(0.0, deadline - time.perf_counter())))
    t.load.append(os.getloadavg()[0])


def sender_kind() -> str:
    return os.environ.get("EGIS_BENCH_SENDER", "lean")


async def _run_senders(
    client: Any, hooks: list[dict[str, Any]], seconds: float, interval: float, t: Tally
) -> float:
    started = time.perf_counter()
    t.window[0] = time.time()
    deadline = started + seconds
    await asyncio.gather(
        *[_sender(client, n, hooks[n % len(hooks)], deadline, t, interval) for n in range(SENDERS)],
        _sample_load(deadline, t),
    )
    t.window[1] = time.time()
    return time.perf_counter() - started


async def _load(
    base: str, hooks: list[dict[str, Any]], seconds: float, rate: float
) -> dict[str, Any]:
    interval = SENDERS / rate if rate else 0.0
    cpu_before = time.process_time()
    t = Tally()
    if sender_kind() == "lean":
        elapsed = await _run_senders(_LeanClient(base), hooks, seconds, interval, t)
    else:
        import aiohttp
        from yarl import URL

        # No cookie jar (an alert sender keeps none), no decompression.
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=SENDERS),
            timeout=aiohttp.ClientTimeout(total=30.0),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
        ) as session:
            client = _AiohttpClient(session, URL(base))
            elapsed = await _run_senders(client, hooks, seconds, interval, t)
    return {
        "client_cpu_s": time.process_time() - cpu_before,
        "elapsed_s": elapsed,
        "window": t.window,  # wall-clock start and end of the posting (epoch seconds)
        "accepted": t.status.get("202 accepted", 0),
        "answers": len(t.answer_ms),
        "p50_ms": percentile(t.answer_ms, 50) if t.answer_ms else None,
        "p99_ms": percentile(t.answer_ms, 99) if t.answer_ms else None,
        "status": t.status,
        "errors": t.errors[:20],
        "load_avg": t.load,
    }


def load_worker(
    base: str, hooks: list[dict[str, Any]], seconds: float, rate: float = 0.0
) -> dict[str, Any]:
    return asyncio.run(_load(base, hooks, seconds, rate))
