"""The per-hook throttle counts across processes and threads (its own SQLite counter file):
requests counted by another process add up with this one's, and past the limit the hook is
refused, here and there."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from egis.signals import throttle

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import django, sys
django.setup()
from egis.signals import throttle
refused = 0
for _ in range(int(sys.argv[1])):
    try:
        throttle.check(hook_id=sys.argv[2])
    except throttle.Throttled:
        refused += 1
print(refused)
"""


@pytest.fixture
def data_dir(tmp_path, settings):
    # Counts are per clock minute: start well inside one, so a test never straddles two.
    if time.time() % 60 > 40:
        time.sleep(60.5 - time.time() % 60)
    settings.DATA_DIR = tmp_path
    settings.EGIS_HOOK_MAX_PER_MINUTE = 5
    return tmp_path


def _child(data_dir: Path, n: int, hook_id: str) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egis.settings",
        "EGIS_DATA_DIR": str(data_dir),
        "EGIS_HOOK_MAX_PER_MINUTE": "5",
        "EGIS_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), hook_id],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return int(out.stdout.strip().splitlines()[-1])


def test_counts_from_another_process_add_up_and_the_limit_holds(data_dir):
    hook = "hook-shared-between-processes"
    for _ in range(3):
        throttle.check(hook_id=hook)

    assert _child(data_dir, 4, hook) == 2  # 4th and 5th pass, 6th and 7th refused

    with pytest.raises(throttle.Throttled):
        throttle.check(hook_id=hook)
    throttle.check(hook_id="another-hook")  # counted on its own


def test_racing_threads_lose_no_count(data_dir):
    hook = "hook-raced-by-threads"
    refused: list[int] = []

    def post() -> None:
        try:
            throttle.check(hook_id=hook)
        except throttle.Throttled:
            refused.append(1)

    threads = [threading.Thread(target=post) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(refused) == 12 - 5
