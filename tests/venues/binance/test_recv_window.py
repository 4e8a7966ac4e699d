"""recvWindow: Binance refuses one above 60,000 ms, so Egis refuses it at start-up, not at the
first order (and a client built with one by hand refuses it too)."""

import subprocess
import sys
from pathlib import Path

import pytest

from egis.venues.base import VenueConfigError
from egis.venues.binance.client import BinanceClient

ROOT = Path(__file__).resolve().parents[3]


def _start(tmp_path: Path, recv_window: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "egis.settings",
        "EGIS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'egis.sqlite3'}",
        "EGIS_BINANCE_RECV_WINDOW_MS": recv_window,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_recv_window_above_60000_ms_stops_the_start(tmp_path):
    done = _start(tmp_path, "60001")

    assert done.returncode != 0
    assert "started" not in done.stdout
    assert "EGIS_BINANCE_RECV_WINDOW_MS=60001 is refused" in done.stderr
    assert "1 to 60000 ms" in done.stderr


def test_the_documented_maximum_starts(tmp_path):
    done = _start(tmp_path, "60000")

    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


@pytest.mark.parametrize("recv_window_ms", [0, 60001, 600000])
def test_a_client_refuses_a_recv_window_binance_would_refuse(recv_window_ms):
    with pytest.raises(VenueConfigError, match="recvWindow"):
        BinanceClient(
            base_url="http://127.0.0.1:9",
            api_key="demokey0123456789",
            secret_token="unused",
            recv_window_ms=recv_window_ms,
        )
