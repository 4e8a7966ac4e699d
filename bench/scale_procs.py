"""The processes of `make scale-check` and how it watches them: ports in its own ranges, Redis,
one process group per web instance or worker (started, SIGKILLed, stopped), readiness, the first
job of a new consumer, the drain of the queue, a scrape of /metrics and the JSON log lines."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from common import PYTHON, ROOT

DRAIN_TIMEOUT_S = 240.0
BIN = Path(PYTHON).parent


def port_in(ports: range, taken: set[int] | None = None) -> int:
    for port in ports:
        if taken and port in taken:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    print("redis-server not found: installing Debian's redis-server package ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "redis-server"]
    subprocess.run([*sudo, *install], check=True, env=env)
    return shutil.which("redis-server") or "/usr/bin/redis-server"


class Proc:
    """One process group of the arrangement (a web instance or a worker), with its log."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.argv, self.env, self.logs = name, argv, env, logs
        self.popen: subprocess.Popen[bytes] | None = None
        self.generation = 0

    def start(self) -> None:
        self.generation += 1
        log = open(self.logs / f"{self.name}.{self.generation}.log", "wb")  # noqa: SIM115
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def signal_group(self, sig: int) -> None:
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        self.signal_group(signal.SIGKILL)
        assert self.popen is not None
        self.popen.wait(timeout=30)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.signal_group(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def argv_of(argv: list[str]) -> list[str]:
    head = argv[0]
    return [PYTHON if head == "python" else str(BIN / head), *argv[1:]]


def wait_ready(base: str, timeout: float = 60.0) -> float:
    import httpx

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            # A long timeout: under load the probe waits its turn behind the requests queued.
            if httpx.get(f"{base}/readyz", timeout=15).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base} not ready after {timeout:.0f} s")


def first_job_by(pg_url: str, consumer: str, since: float, timeout: float = 60.0) -> float:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() - since < timeout:
            row = conn.execute(
                "SELECT count(*) FROM ops_job_runs WHERE started_by = %s", (consumer,)
            ).fetchone()
            if row and row[0]:
                return time.monotonic() - since
            time.sleep(0.05)
    raise RuntimeError(f"consumer {consumer} started no job in {timeout:.0f} s")


def scrape(base: str, token: str) -> dict[str, float]:
    """A few figures of /metrics on one instance (gunicorn workers summed by multiprocess mode)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    response = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name in ("egis_order_seconds_count", "egis_orders"):
                found[sample.name] = found.get(sample.name, 0.0) + sample.value
            elif sample.name in ("egis_orders_in_flight", "egis_queue_depth"):
                found[sample.name] = sample.value
    return found


def log_lines_of(logs: Path) -> dict[str, int]:
    """EGIS_LOG_JSON=1: every line our loggers wrote is JSON, and each names its request (the
    web's request id, the worker job's id) except the processes' start-up lines."""
    counts = {"json": 0, "with request id": 0, "with client order id": 0}
    for path in [*logs.glob("web-*.log"), *logs.glob("worker-*.log")]:
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue  # gunicorn's own lines (access log, boot), Python warnings
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut by the SIGKILL
            counts["json"] += 1
            counts["with request id"] += bool(entry.get("request_id"))
            counts["with client order id"] += bool(entry.get("client_order_id"))
    return counts


def wait_for_a_job_held_by(pg_url: str, consumer: str, timeout: float = 5.0) -> bool:
    import psycopg

    started = time.monotonic()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() - started < timeout:
            row = conn.execute(
                "SELECT 1 FROM ops_job_runs WHERE started_by = %s AND starts > finishes LIMIT 1",
                (consumer,),
            ).fetchone()
            if row:
                return True
            time.sleep(0.002)
    return False


def pending(pg_url: str, redis_url: str) -> dict[str, int]:
    import psycopg
    import redis

    with psycopg.connect(pg_url, autocommit=True) as conn:
        counts = {
            name: int(conn.execute(sql).fetchone()[0])  # type: ignore[index]
            for name, sql in {
                "signals": "SELECT count(*) FROM signals WHERE status IN ('queued', 'executing')",
                "orders": "SELECT count(*) FROM orders WHERE status IN ('submitting', 'unknown')",
                # A job not started a minute after its enqueue (the price ticks are scheduled up
                # to a minute ahead): late, or lost.
                "jobs": "SELECT count(*) FROM ops_job_runs WHERE starts = 0 "
                "AND enqueued_at < now() - interval '70 seconds'",
            }.items()
        }
    counts["queue"] = int(redis.Redis.from_url(redis_url).llen("huey.redis.egis"))
    return counts


def drain(pg_url: str, redis_url: str) -> tuple[float, dict[str, int]]:
    started = time.monotonic()
    while True:
        left = pending(pg_url, redis_url)
        if not any(left.values()) or time.monotonic() - started > DRAIN_TIMEOUT_S:
            return time.monotonic() - started, left
        time.sleep(1.0)
