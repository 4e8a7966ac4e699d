"""`make scale-check`: two web instances and two workers on PostgreSQL + Redis, one of each killed.

Installs Debian's `postgresql` and `redis-server` if missing, starts a throwaway cluster and a
Redis on loopback ports, migrates, then starts the processes of deploy/processes.toml (the list
the compose file and the systemd units are generated from): two gunicorn web instances, each in
its own process group on its own port (as two hosts would be), and two Huey consumers on Redis.
The load client (bench/scale_load.py) spreads orders on 32 paper bots, budget reads and signals
to 8 bots' webhooks over both instances. A third of the way in, one web instance is SIGKILLed
(master and workers); half-way, one worker. Each is restarted a second later, as systemd's
`Restart=always` / `RestartSec=1` would. Afterwards, once the queue has drained, the checks
(bench/scale_checks.py): 0 overspent bots, every order final, no position mid-close, each
periodic job once per period, every queued job executed exactly once (or cut with the killed
worker, its work resumed), every signal executed exactly once.

    .venv/bin/python bench/scale.py [--seconds 90]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PYTHON, ROOT, run_child, table, worker_json, write_results
from postgres import throwaway_cluster
from scale_procs import (
    Proc,
    argv_of,
    drain,
    first_job_by,
    log_lines_of,
    port_in,
    redis_server,
    scrape,
    wait_for_a_job_held_by,
    wait_ready,
)
from scale_report import report

from deploy import processes

SECONDS = 90.0
WEB_PORTS = range(8160, 8200)
PG_PORTS = range(55460, 55470)
REDIS_PORTS = range(56370, 56380)
WEB_WORKERS = 2  # gunicorn workers per instance: two instances share this machine's 2 cores


def run(seconds: float) -> list[dict[str, Any]]:
    redis_bin = redis_server()
    tmp = Path(tempfile.mkdtemp(prefix="egis-scale-"))
    logs = tmp / "logs"
    logs.mkdir()
    pg_port = port_in(PG_PORTS)
    redis_port = port_in(REDIS_PORTS)
    redis_proc = subprocess.Popen(
        [
            redis_bin,
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=open(logs / "redis.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    procs: list[Proc] = []
    try:
        with throwaway_cluster(pg_port) as admin_url:
            return _run(seconds, tmp, logs, admin_url, redis_port, procs)
    finally:
        for proc in procs:
            proc.stop()
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
        print(f"logs kept in {logs}" if os.environ.get("EGIS_SCALE_KEEP") else "")
        if not os.environ.get("EGIS_SCALE_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)


def _run(
    seconds: float, tmp: Path, logs: Path, admin_url: str, redis_port: int, procs: list[Proc]
) -> list[dict[str, Any]]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE egis_scale")
    pg_url = admin_url.rsplit("/", 1)[0] + "/egis_scale"
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    data = tmp / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGIS_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="egis.settings",
        PYTHONPATH=str(ROOT),
        SECRET_KEY=secrets.token_urlsafe(40),
        DATABASE_URL=pg_url,
        EGIS_REDIS_URL=redis_url,
        EGIS_DATA_DIR=str(data),
        EGIS_PRICE_SOURCE="simulated",
        EGIS_LOG_JSON="1",
        EGIS_LOG_LEVEL="INFO",
        EGIS_TRACE_JOBS="1",
        EGIS_METRICS_TOKEN=secrets.token_urlsafe(24),
        EGIS_HOOK_MAX_PER_MINUTE="100000",
        # An order cut with its web instance is looked up 5 s after it was written; the paper
        # venue's "not found" is final (its book is in the same database), so one answer is enough.
        EGIS_RECOVERY_TIMEOUT_S="5",
        EGIS_RECOVERY_NOT_FOUND_ATTEMPTS="1",
        EGIS_RECOVERY_NOT_FOUND_GRACE_S="0",
    )
    run_child([*argv_of(processes.command("migrate")), "-v0"], env)
    setup = worker_json([PYTHON, str(ROOT / "bench" / "scale_checks.py"), "--setup"], env)
    cli = [PYTHON, str(ROOT / "manage.py"), "egis", "token", "create", setup["user"], "--json"]
    token = json.loads(run_child(cli, env).stdout)["token"]

    taken: set[int] = set()
    webs = []
    for label in ("a", "b"):
        port = port_in(WEB_PORTS, taken)
        taken.add(port)
        metrics_dir = tmp / f"metrics-{label}"
        metrics_dir.mkdir()
        argv = processes.command("web", bind="127.0.0.1", port=port, workers=WEB_WORKERS)
        web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        webs.append(
            (Proc(f"web-{label}", argv_of(argv), web_env, logs), f"http://127.0.0.1:{port}")
        )
    workers = [Proc(f"worker-{n}", argv_of(processes.command("worker")), env, logs) for n in (1, 2)]
    procs.extend([w for w, _ in webs] + workers)
    for proc in procs:
        proc.start()
    for _, base in webs:
        wait_ready(base)
    print(f"2 web instances ({', '.join(b for _, b in webs)}), 2 workers, load for {seconds:.0f} s")

    plan = {
        "bases": [b for _, b in webs],
        "token": token,
        "seconds": seconds,
        "order_bots": setup["order_bots"],
        "hooks": setup["hooks"],
        "budget_clients": 4,
    }
    (tmp / "plan.json").write_text(json.dumps(plan))
    load = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "scale.py"), "--load", str(tmp / "plan.json")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=open(logs / "load.log", "wb"),  # noqa: SIM115
    )
    t0 = time.monotonic()
    load_avg: list[float] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(2.0):
            load_avg.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()

    # A third of the way in: one web instance, master and workers, killed; back a second later.
    time.sleep(max(0.0, t0 + seconds / 3 - time.monotonic()))
    web_a, base_a = webs[0]
    web_kill_at = time.time()
    web_a.kill()
    time.sleep(1.0)
    web_a.start()
    web_resume = wait_ready(base_a) + 1.0
    print(f"web-a killed at {web_kill_at:.1f}, answering /readyz again after {web_resume:.1f} s")

    # Half-way: one worker killed in the middle of a job (the moment it is seen to hold one, or
    # after 5 s of looking); back a second later.
    time.sleep(max(0.0, t0 + seconds / 2 - time.monotonic()))
    worker = workers[0]
    killed_consumers = [f"{socket.gethostname()}:{worker.pid}"]
    wait_for_a_job_held_by(pg_url, killed_consumers[0])
    worker.kill()
    time.sleep(1.0)
    restarted = time.monotonic()
    worker.start()
    worker_resume = first_job_by(pg_url, f"{socket.gethostname()}:{worker.pid}", restarted) + 1.0
    print(f"worker-1 killed, its successor ran a job after {worker_resume:.1f} s")

    out, _ = load.communicate(timeout=seconds + 300)
    sampling.set()
    lines = [line for line in out.decode().splitlines() if line.startswith("{")]
    if load.returncode != 0 or not lines:
        raise RuntimeError(f"load client failed: {(logs / 'load.log').read_text()[-3000:]}")
    figures_load = json.loads(lines[-1])
    metrics = scrape(webs[1][1], env["EGIS_METRICS_TOKEN"])
    drain_s, left = drain(pg_url, redis_url)
    # Huey stops gracefully on SIGINT: a running job (the price tick runs for most of a minute)
    # finishes; SIGTERM would cut it, and it would count as a job lost.
    for proc in workers:
        proc.stop(signal.SIGINT, timeout=120)
    for proc in procs:
        proc.stop()
    extra = {"accepted_ids": figures_load["accepted_ids"], "killed_consumers": killed_consumers}
    (tmp / "extra.json").write_text(json.dumps(extra))
    checks = worker_json(
        [PYTHON, str(ROOT / "bench" / "scale_checks.py"), "--check", str(tmp / "extra.json")], env
    )
    skips = sum(
        path.read_text(errors="replace").count("already claimed: skipped")
        for path in logs.glob("worker-*.log")
    )
    log_lines = log_lines_of(logs)
    return report(
        load=figures_load,
        checks=checks,
        left=left,
        drain_s=drain_s,
        web_resume_s=web_resume,
        worker_resume_s=worker_resume,
        web_kill_at=web_kill_at,
        killed_base=base_a,
        periodic_skips=skips,
        load_avg=load_avg or [os.getloadavg()[0]],
        metrics=metrics,
        log_lines=log_lines,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--load", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        from scale_load import load_worker

        print(json.dumps(load_worker(json.loads(Path(args.load).read_text()))))
        return
    results = run(args.seconds)
    write_results(results)
    print()
    print(table(results))
    print(json.dumps(results[0]["figures"], indent=1))
    sys.exit(0 if results[0]["pass"] else 1)


if __name__ == "__main__":
    main()
