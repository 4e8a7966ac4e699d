"""EGIS_REDIS_URL: the work queue and the shared cache both move to Redis, and the production
settings of the scaled-out arrangement still pass Django's deployment checks."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "from huey.contrib.djhuey import HUEY; "
    "print(json.dumps([type(HUEY).__name__, type(HUEY.storage).__name__, HUEY.results, "
    "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']]))"
)


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGIS_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="egis.settings",
        EGIS_DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        **more,
    )
    return env


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_redis_carries_the_queue_and_the_throttles_cache(tmp_path):
    # Nothing connects at start-up: the address need not answer for this.
    env = _env(tmp_path, EGIS_REDIS_URL="redis://127.0.0.1:6399/2")
    run = _run([sys.executable, "-c", SHOW], env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        "RedisHuey",
        "RedisStorage",
        False,
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6399/2",
    ]


def test_without_it_one_machine_keeps_sqlite_and_the_file_cache(tmp_path):
    run = _run([sys.executable, "-c", SHOW], _env(tmp_path))
    assert run.returncode == 0, run.stderr
    huey, storage, results, backend, _ = json.loads(run.stdout)
    # Huey on SQLite, its file with synchronous=NORMAL (egis/ops/queue_storage.py).
    assert (huey, storage, results) == ("SqliteQueue", "NormalSyncSqliteStorage", False)
    assert backend == "django.core.cache.backends.filebased.FileBasedCache"


def test_the_scaled_out_settings_pass_the_deployment_checks(tmp_path):
    env = _env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        EGIS_REDIS_URL="redis://127.0.0.1:6399/0",
        EGIS_HTTPS="1",
        EGIS_BEHIND_TLS_PROXY="1",
        EGIS_LOG_JSON="1",
        EGIS_METRICS_TOKEN=secrets.token_urlsafe(24),
        EGIS_ALLOWED_HOSTS="egis.example.com",
    )
    run = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert run.returncode == 0, run.stdout + run.stderr
