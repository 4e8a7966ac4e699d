"""The load client of `make scale-check`: one process, asyncio + httpx, spreading its requests over
every web instance in turn, as a round-robin proxy would.

- one order client per order bot: `open $100, open $100, close, close` (budget $200);
- budget readers on the order bots;
- signal senders, two per signal bot: `open $25, open $25, close` with a fresh sender id, and
  every 8th post a retry of the previous one (same id: answered "duplicate", trades nothing).

A request that cannot connect (the instance is down) goes to the next instance at once: it was
never sent. A request cut after it was sent (the instance was killed under it) is a transport
error: an order client then asks which of its positions are open and carries on from there; a
signal sender sends the same body (same id) again elsewhere, which must still execute once.

Every answer is judged: 201 with a booked order, 409 with a refusal code, 200 budget, 202/200
signal are expected; anything else, or a 201 whose body contradicts it, is a wrong answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from typing import Any

from common import percentile

SIZE_USD = "100.00"
SIGNAL_SIZE_USD = "25"
RETRY_EVERY = 8
REFUSALS = {"not_enough_budget", "position_busy", "position_not_open", "position_not_found"}


class Tally:
    def __init__(self) -> None:
        self.order_ms: list[float] = []
        self.budget_ms: list[float] = []
        self.signal_ms: list[float] = []
        self.counts: dict[str, int] = {}
        self.samples: list[str] = []
        self.cuts: list[dict[str, Any]] = []  # transport errors after sending: when and where
        self.accepted_ids: set[str] = set()

    def count(self, key: str, sample: str = "") -> None:
        self.counts[key] = self.counts.get(key, 0) + 1
        if sample and len(self.samples) < 30:
            self.samples.append(f"{key}: {sample}"[:300])


class Instances:
    """Round robin over the web instances, skipping one that just refused a connection."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.turn = 0
        self.down_until = dict.fromkeys(bases, 0.0)

    def pick(self) -> str:
        now = time.monotonic()
        for _ in range(len(self.bases)):
            self.turn = (self.turn + 1) % len(self.bases)
            base = self.bases[self.turn]
            if self.down_until[base] <= now:
                return base
        return self.bases[self.turn]

    def refused(self, base: str) -> None:
        self.down_until[base] = time.monotonic() + 0.25


async def send(
    client: Any, pool: Instances, tally: Tally, method: str, path: str, **kw: Any
) -> tuple[Any, str]:
    """(response or None, base). Connect errors are retried elsewhere (nothing was sent)."""
    import httpx

    for _ in range(20):
        base = pool.pick()
        try:
            return await client.request(method, base + path, **kw), base
        except httpx.ConnectError:
            tally.count("refused while down")
            pool.refused(base)
            await asyncio.sleep(0.05)
        except httpx.TransportError as exc:
            tally.count("cut in flight", f"{base} {type(exc).__name__}")
            tally.cuts.append({"base": base, "at": time.time(), "error": type(exc).__name__})
            return None, base
    return None, ""


def _judge_order(tally: Tally, response: Any, intent: str) -> dict[str, Any] | None:
    code = response.status_code
    if code == 201:
        body: dict[str, Any] = response.json()
        order, position = body.get("order", {}), body.get("position", {})
        booked = order.get("status") in ("filled", "partially_filled")
        expected = "open" if intent == "open" else "closed"
        if booked and position.get("status") == expected:
            tally.count("order 201")
            return body
        tally.count("wrong answer", f"201 {response.text[:200]}")
        return None
    if code == 409 and response.json().get("code") in REFUSALS:
        tally.count(f"order 409 {response.json()['code']}")
        return None
    kind = "5xx" if code >= 500 else "wrong answer"
    tally.count(kind, f"order {code} {response.text[:200]}")
    return None


async def _open_positions(client: Any, pool: Instances, tally: Tally, bot_id: int) -> list[int]:
    path = f"/api/v1/bots/{bot_id}/positions?status=open&page_size=100"
    for _ in range(10):
        response, _base = await send(client, pool, tally, "GET", path)
        if response is not None and response.status_code == 200:
            return [p["id"] for p in response.json()["items"]]
        await asyncio.sleep(0.2)
    return []


async def order_client(
    client: Any, pool: Instances, tally: Tally, bot_id: int, deadline: float
) -> None:
    path = f"/api/v1/bots/{bot_id}/orders"
    open_ids: list[int] = []
    resync = False

    async def order(body: dict[str, Any]) -> dict[str, Any] | None:
        nonlocal resync
        t0 = time.perf_counter()
        response, _base = await send(client, pool, tally, "POST", path, json=body)
        if response is None:
            resync = True  # sent, answer lost: which positions are open now?
            return None
        tally.order_ms.append((time.perf_counter() - t0) * 1000)
        return _judge_order(tally, response, body["intent"])

    while time.monotonic() < deadline:
        for _ in range(2):
            booked = await order({"intent": "open", "side": "long", "size_usd": SIZE_USD})
            if booked is not None:
                open_ids.append(booked["position"]["id"])
        while open_ids and time.monotonic() < deadline:
            await order({"intent": "close", "position_id": open_ids.pop()})
        if resync:
            resync = False
            open_ids = await _open_positions(client, pool, tally, bot_id)


async def budget_client(
    client: Any, pool: Instances, tally: Tally, bots: list[int], deadline: float
) -> None:
    n = 0
    while time.monotonic() < deadline:
        bot_id = bots[n % len(bots)]
        n += 1
        t0 = time.perf_counter()
        response, _base = await send(client, pool, tally, "GET", f"/api/v1/bots/{bot_id}/budget")
        if response is None:
            continue
        tally.budget_ms.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            kind = "5xx" if response.status_code >= 500 else "wrong answer"
            tally.count(kind, f"budget {response.status_code} {response.text[:200]}")
            continue
        body = response.json()
        available, initial = Decimal(body["available_usd"]), Decimal(body["initial_budget_usd"])
        if not Decimal(0) <= available <= initial:
            tally.count("wrong answer", f"budget {body}")
        else:
            tally.count("budget 200")


async def signal_sender(
    client: Any, pool: Instances, tally: Tally, n: int, hook: dict[str, Any], deadline: float
) -> None:
    path = f"/hooks/{hook['hook_id']}"
    cycle = [
        {"action": "open", "side": "long", "size_usd": SIGNAL_SIZE_USD},
        {"action": "open", "side": "long", "size_usd": SIGNAL_SIZE_USD},
        {"action": "close"},
    ]
    sent = 0
    last = b""
    while time.monotonic() < deadline:
        if last and sent % RETRY_EVERY == RETRY_EVERY - 1:
            body = last  # a sender retrying: the same id again
        else:
            payload = {**cycle[sent % 3], "id": f"s{n}-{sent}", "secret": hook["secret"]}
            body = json.dumps(payload).encode()
        sent += 1
        headers = {"Content-Type": "application/json"}
        for _attempt in range(5):  # cut in flight: the same body again, elsewhere
            t0 = time.perf_counter()
            response, _base = await send(
                client, pool, tally, "POST", path, content=body, headers=headers
            )
            if response is not None:
                break
        if response is None:
            continue
        tally.signal_ms.append((time.perf_counter() - t0) * 1000)
        status = response.json().get("status", "") if response.status_code < 300 else ""
        if (response.status_code, status) in ((202, "accepted"), (200, "duplicate")):
            tally.count(f"signal {status}")
            tally.accepted_ids.add(json.loads(body)["id"])
        else:
            kind = "5xx" if response.status_code >= 500 else "wrong answer"
            tally.count(kind, f"signal {response.status_code} {response.text[:200]}")
        last = body


async def exit_client(
    client: Any, pool: Instances, tally: Tally, bot_id: int, deadline: float
) -> None:
    """Open with a take-profit and a stop-loss 0.2 % away, wait until the worker's trigger
    engine has closed the position (the walk moves up to 0.5 % a tick), open again."""
    path = f"/api/v1/bots/{bot_id}/orders"
    body = {
        "intent": "open",
        "side": "long",
        "size_usd": "50",
        "take_profit": {"pct": "0.2"},
        "stop_loss": {"pct": "0.2"},
    }
    while time.monotonic() < deadline:
        response, _base = await send(client, pool, tally, "POST", path, json=body)
        if response is not None and _judge_order(tally, response, "open") is not None:
            tally.count("exit position opened")
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            if not await _open_positions(client, pool, tally, bot_id):
                break


async def _load(plan: dict[str, Any]) -> dict[str, Any]:
    import httpx

    tally = Tally()
    pool = Instances(plan["bases"])
    headers = {"Authorization": f"Bearer {plan['token']}"}
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=64)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30.0) as client:
        started = time.monotonic()
        deadline = started + plan["seconds"]
        bots, hooks = plan["order_bots"], plan["hooks"]
        await asyncio.gather(
            *[order_client(client, pool, tally, b, deadline) for b in bots],
            *[
                budget_client(client, pool, tally, bots[i::4], deadline)
                for i in range(plan["budget_clients"])
            ],
            *[
                signal_sender(client, pool, tally, n, hooks[n % len(hooks)], deadline)
                for n in range(2 * len(hooks))
            ],
            *[exit_client(client, pool, tally, b, deadline) for b in plan.get("exit_bots", [])],
        )
        elapsed = time.monotonic() - started

    def p(values: list[float], q: float) -> float | None:
        return round(percentile(values, q), 1) if values else None

    return {
        "elapsed_s": elapsed,
        "counts": tally.counts,
        "samples": tally.samples,
        "cuts": tally.cuts,
        "order_p50_ms": p(tally.order_ms, 50),
        "order_p99_ms": p(tally.order_ms, 99),
        "budget_p50_ms": p(tally.budget_ms, 50),
        "budget_p99_ms": p(tally.budget_ms, 99),
        "signal_p50_ms": p(tally.signal_ms, 50),
        "signal_p99_ms": p(tally.signal_ms, 99),
        "accepted_ids": sorted(tally.accepted_ids),
    }


def load_worker(plan: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(_load(plan))
