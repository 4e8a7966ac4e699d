"""Settings for the test suite: SQLite only, offline, one data folder per test worker."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# One folder per test run and worker: several runs on one machine never share a database.
_run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
_data = Path(tempfile.gettempdir()) / f"egis-test-{os.getuid()}" / _run / _worker
_data.mkdir(parents=True, exist_ok=True)
os.environ["EGIS_DATA_DIR"] = str(_data)
os.environ["EGIS_TESTING"] = "1"
os.environ.setdefault("EGIS_PRICE_SOURCE", "fixed")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from egis.settings import *  # noqa: E402,F403
from egis.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_DATABASE_ENGINE = DATABASES["default"]["ENGINE"]

# Static files are served from the app folders (finders); an empty, existing root keeps WhiteNoise
# from warning on every request in a fresh clone where collectstatic never ran.
STATIC_ROOT = _data / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
