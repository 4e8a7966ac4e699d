"""Reading the audit trail (admins only: the edges check the role)."""

from __future__ import annotations

from typing import Any

from egis.audit.models import AuditEntry

AUDIT_PAGE_SIZE = 200


def audit_entries(
    *, object_type: str | None = None, object_id: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> list[AuditEntry]:
    """Newest first, at most `limit` rows."""
    qs = AuditEntry.objects.all()
    if object_type is not None:
        qs = qs.filter(object_type=object_type)
    if object_id is not None:
        qs = qs.filter(object_id=object_id)
    return list(qs.order_by("-id")[: max(1, limit)])


def audit_entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "actor": entry.actor_label,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "field": entry.field,
        "before": entry.before,
        "after": entry.after,
        "created_at": entry.created_at.isoformat(),
    }
