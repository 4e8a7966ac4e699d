"""The last line of defence: an append-only, fsync'd JSON-lines file in the data folder.

When the database cannot be written after a venue call (locked, read-only, gone), what the venue
said is appended here so it is never lost; `egis recover` imports it into
the incidents table once the database is back.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
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
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # A line torn by a process killed mid-append has no end: end it first, so this record
        # is a line of its own and not read as part of the torn one.
        size = os.fstat(fd).st_size
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        os.write(fd, (("\n" if torn else "") + line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_lines() -> list[tuple[int, str]]:
    """(line number, raw text) of every non-blank line; the file is never rewritten."""
    path = journal_path()
    if not path.exists():
        return []
    with path.open("rb") as fh:
        data = fh.read()
    text = data.decode("utf-8", errors="replace")
    return [(n, raw) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]


@dataclass
class JournalImport:
    lines: int = 0
    imported: list[int] = field(default_factory=list)  # incidents created by this import
    already: int = 0  # lines imported before (same dedupe key)
    unreadable: list[int] = field(default_factory=list)  # line numbers kept as raw incidents

    def summary_line(self) -> str:
        text = (
            f"journal: {self.lines} lines, {len(self.imported)} imported, "
            f"{self.already} already imported"
        )
        if self.unreadable:
            text += f", {len(self.unreadable)} unreadable (kept raw)"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(journal_path()),
            "lines": self.lines,
            "imported": self.imported,
            "already_imported": self.already,
            "unreadable_lines": self.unreadable,
            "summary": self.summary_line(),
        }


def _existing_id(model: Any, pk: Any, **extra: Any) -> int | None:
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return pk if model.objects.filter(pk=pk, **extra).exists() else None


def journal_import() -> JournalImport:
    """Turn every journal line into an incident, once (idempotent by dedupe key).

    The key of a line naming an order is the one the pipeline uses for the same fact
    (`unbooked:<client order id>`), so a fact recorded both ways is still one incident. Foreign
    keys are kept only when the row still exists (the database may have been restored from an
    older copy): the ids stay in the payload either way. The file itself is never rewritten.
    """
    from egis.bots.models import Bot
    from egis.ledger.incidents import incident_record
    from egis.ledger.models import Incident, IncidentKind, Order

    result = JournalImport()
    for lineno, raw in journal_lines():
        result.lines += 1
        digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            key = f"journal:{digest}"
            record = {
                "kind": IncidentKind.DB_FAILED_AFTER_VENUE,
                "payload": {"raw_line": raw[:4000], "line": lineno},
                "error": f"unreadable journal line {lineno}: {exc}",
            }
            result.unreadable.append(lineno)
        else:
            client_order_id = str(record.get("client_order_id") or "")[:36]
            key = f"unbooked:{client_order_id}" if client_order_id else f"journal:{digest}"
        if Incident.objects.filter(dedupe_key=key).exists():
            result.already += 1
            continue
        kind = record.get("kind")
        if kind not in IncidentKind.values:
            kind = IncidentKind.DB_FAILED_AFTER_VENUE
        client_order_id = str(record.get("client_order_id") or "")[:36]
        order_id = _existing_id(Order, record.get("order_id"), client_order_id=client_order_id)
        if order_id is None and client_order_id:
            order_id = (
                Order.objects.filter(client_order_id=client_order_id)
                .values_list("pk", flat=True)
                .first()
            )
        bot_id = _existing_id(Bot, record.get("bot_id"))
        payload = dict(record.get("payload") or {})
        payload.update(
            source="journal",
            journal_line=lineno,
            recorded_at=record.get("recorded_at"),
            journal_order_id=record.get("order_id"),
            journal_bot_id=record.get("bot_id"),
        )
        report = payload.get("report")
        incident = incident_record(
            kind=str(kind),
            bot_id=bot_id,
            order_id=order_id,
            client_order_id=client_order_id,
            venue_order_id=str((report or {}).get("venue_order_id") or "")[:64]
            if isinstance(report, dict)
            else "",
            intent=str(record.get("intent") or "")[:5],
            payload=payload,
            error=str(record.get("error") or ""),
            dedupe_key=key,
        )
        result.imported.append(incident.pk)
    return result
