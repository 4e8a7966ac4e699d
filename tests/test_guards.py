"""Invariant 8: the suite runs on SQLite only and can reach nothing but loopback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.conftest import NetworkBlocked

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_refuses_any_other_database_at_once():
    env = {**os.environ, "DATABASE_URL": "postgresql://egis:pw@127.0.0.1:1/egis"}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/unit/test_money.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 4, run.stdout + run.stderr
    assert "runs on SQLite only" in run.stdout + run.stderr
    assert "passed" not in run.stdout


def test_the_suite_runs_on_sqlite(settings):
    assert settings.DATABASES["default"]["ENGINE"] == settings.SQLITE_ENGINE
    assert connection.vendor == "sqlite"


def test_sockets_to_other_hosts_are_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlocked):
        s.connect(("192.0.2.1", 443))


def test_http_to_binance_is_refused():
    with pytest.raises((NetworkBlocked, httpx.ConnectError)):
        httpx.get("https://fapi.binance.com/fapi/v1/time", timeout=2)


def test_loopback_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
