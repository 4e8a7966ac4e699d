"""Shared plumbing of the benchmarks: fresh databases, child processes, results and the table.

Every benchmark runs against its own throwaway database (a SQLite file in a temporary folder, or
a fresh database in the PostgreSQL cluster `make bench-postgres` starts), never the developer's
data/. The measuring code runs in a child process whose environment points Django at that
database, so nothing of the parent's settings leaks in.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
RESULTS = ROOT / "bench" / "results.json"


# --- machine ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


# --- databases --------------------------------------------------------------------------------


@dataclass
class Target:
    """Where a benchmark's fresh database lives: SQLite (default) or a PostgreSQL cluster."""

    kind: str = "sqlite"  # "sqlite" | "postgresql"
    pg_admin_url: str = ""  # postgresql://user@127.0.0.1:port/postgres when kind == postgresql

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"


@dataclass
class Database:
    target: Target
    data_dir: Path
    url: str = ""
    pg_name: str = ""

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "egis.sqlite3"

    def env(self, **more: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EGIS_", "DATABASE_URL"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "egis.settings",
                "EGIS_DATA_DIR": str(self.data_dir),
                "EGIS_PRICE_SOURCE": "fixed",
                "EGIS_LOG_LEVEL": "WARNING",
                "SECRET_KEY": secrets.token_urlsafe(40),
                "PYTHONPATH": str(ROOT),
            }
        )
        if self.url:
            env["DATABASE_URL"] = self.url
        env.update(more)
        return env

    def drop(self) -> None:
        if self.pg_name:
            pg_admin(self.target.pg_admin_url, f'DROP DATABASE IF EXISTS "{self.pg_name}"')


def pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def pg_url(admin_url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", admin_url)


def fresh_database(target: Target, tmp: Path) -> Database:
    """A new empty database, migrated by `manage.py migrate` in a child process."""
    data_dir = tmp / f"data-{uuid.uuid4().hex[:8]}"
    data_dir.mkdir(parents=True)
    db = Database(target=target, data_dir=data_dir)
    if target.kind == "postgresql":
        db.pg_name = f"egis_bench_{uuid.uuid4().hex[:10]}"
        pg_admin(target.pg_admin_url, f'CREATE DATABASE "{db.pg_name}"')
        db.url = pg_url(target.pg_admin_url, db.pg_name)
    run_child([PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], db.env())
    return db


def temp_root() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="egis-bench-")


# --- child processes --------------------------------------------------------------------------


@dataclass
class ChildRun:
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def run_child(
    argv: list[str], env: dict[str, str], *, timeout: float = 1800, check: bool = True
) -> ChildRun:
    """Run a child to completion; its own peak RSS comes from wait4's rusage (Linux: KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = ChildRun(
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            seconds,
            usage.ru_maxrss / 1024,
        )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:4])} ... exited {proc.returncode}\n{result.stdout[-2000:]}\n"
            f"{result.stderr[-4000:]}"
        )
    return result


def worker_json(argv: list[str], env: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    """Run a benchmark worker that prints one JSON object as its last stdout line."""
    run = run_child(argv, env, **kwargs)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"worker printed no result:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def django_setup() -> None:
    """In a worker child: settings come from the environment the parent prepared."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egis.settings")
    import django

    django.setup()


# --- figures ----------------------------------------------------------------------------------


def gunicorn_workers() -> int:
    # CPU-bound Python: one process per core, a second in reserve for the one waiting on a lock.
    return int(os.environ.get("EGIS_BENCH_GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))


def free_port(range_env: str = "EGIS_BENCH_PORTS") -> int:
    """A free loopback port: the first free one of `$EGIS_BENCH_PORTS` ("8200-8229") when set
    (a shared machine where each person has a port range), else one the kernel picks."""
    span = os.environ.get(range_env, "")
    candidates = [0]
    if span:
        low, _, high = span.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = s.getsockname()[1]
            return port
    raise RuntimeError(f"no free port in {range_env}={span}")


def start_gunicorn(
    env: dict[str, str], port: int, stderr: Any, *, threads: int = 1
) -> subprocess.Popen[bytes]:
    """The app under gunicorn on 127.0.0.1:`port`, as the benchmarks of the HTTP path run it."""
    nice = os.environ.get("EGIS_BENCH_WEB_NICE", "")
    return subprocess.Popen(
        [
            *(["nice", "-n", nice] if nice else []),
            str(Path(PYTHON).parent / "gunicorn"),
            "egis.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(gunicorn_workers()),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def wait_up(base: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import httpx

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process `pid` and its live children (gunicorn's
    workers), from /proc (Linux). A child that has exited is not counted: read it while the
    processes run."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def result(
    name: str,
    *,
    figures: dict[str, Any],
    unit: str,
    target: str,
    passed: bool,
    note: str = "",
) -> dict[str, Any]:
    return {
        "name": name,
        "figures": figures,
        "unit": unit,
        "target": target,
        "pass": bool(passed),
        "note": note,
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return str(value)


def table(results: list[dict[str, Any]]) -> str:
    rows = [("benchmark", "figures", "unit", "target", "result")]
    for r in results:
        figures = ", ".join(f"{k}={_fmt(v)}" for k, v in r["figures"].items())
        rows.append((r["name"], figures, r["unit"], r["target"], "PASS" if r["pass"] else "FAIL"))
    widths = [min(max(len(row[i]) for row in rows), 90) for i in range(5)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: list[dict[str, Any]]) -> str:
    out = ["| benchmark | figures | unit | target | result |", "|---|---|---|---|---|"]
    for r in results:
        figures = ", ".join(f"{k}={_fmt(v)}" for k, v in r["figures"].items())
        verdict = "PASS" if r["pass"] else "**FAIL**"
        out.append(f"| {r['name']} | {figures} | {r['unit']} | {r['target']} | {verdict} |")
    return "\n".join(out)


def write_results(results: list[dict[str, Any]]) -> None:
    """Merge by name into bench/results.json, so SQLite and PostgreSQL runs sit side by side."""
    existing: list[dict[str, Any]] = []
    if RESULTS.exists():
        try:
            existing = json.loads(RESULTS.read_text()).get("benchmarks", [])
        except (ValueError, AttributeError):
            existing = []
    names = {r["name"] for r in results}
    merged = [r for r in existing if r.get("name") not in names] + results
    RESULTS.write_text(
        json.dumps(
            {
                "machine": machine(),
                "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "benchmarks": merged,
            },
            indent=2,
        )
        + "\n"
    )
