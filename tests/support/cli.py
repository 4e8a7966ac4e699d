"""Running the `egis` console script as an operator would, on a fresh database of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EGIS = str(Path(sys.executable).parent / "egis")


def fresh_cli_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """Environment for a subprocess on a new, migrated SQLite database in `data_dir`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egis.settings",
        "DATABASE_URL": f"sqlite:///{data_dir / 'egis.sqlite3'}",
        "EGIS_DATA_DIR": str(data_dir),
        "EGIS_PRICE_SOURCE": "fixed",
        **overrides,
    }
    env.pop("EGIS_SECRETS_KEY", None)  # each database gets its own key file
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return env


def egis_run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [EGIS, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, input=stdin
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def egis_json(
    env: dict[str, str], *args: str, ok: bool = True, stdin: str | None = None
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Run with --json: exactly one JSON object on stdout; a refusal is one line on stderr."""
    done = egis_run(env, *args, "--json", stdin=stdin)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout + done.stderr
    if ok:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return json.loads(lines[0]), done
