"""The last line of defence: an append-only, fsync'd JSON-lines file in the data folder.

When the database cannot be written after a venue call (locked, read-only, gone), what the venue
said is appended here so it is never lost; `egis recover` imports it into
`pending_reconciliations` once the database is back.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings


def journal_path() -> Path:
    return Path(settings.EGIS_JOURNAL_PATH)


def journal_append(record: dict[str, Any]) -> None:
    line = json.dumps(
        {"recorded_at": datetime.now(UTC).isoformat(), **record}, sort_keys=True, default=str
    )
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_read() -> list[dict[str, Any]]:
    path = journal_path()
    if not path.exists():
        return []
    records = []
    for raw in path.read_text().splitlines():
        if raw.strip():
            records.append(json.loads(raw))
    return records
