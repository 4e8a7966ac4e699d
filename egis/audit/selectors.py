"""Reading the audit trail (admins only: the edges check the role)."""

from __future__ import annotations

from typing import Any

from egis.audit.models import AuditEntry

AUDIT_PAGE_SIZE = 200

# The one place a recorded field name becomes words (the Audit page, the API and the CLI JSON
# send both). Words match the bot form's labels.
FIELD_LABELS = {
    "created": "Created",
    "deleted": "Deleted",
    "name": "Name",
    "initial_budget_usd": "Budget (USD)",
    "leverage": "Leverage",
    "is_active": "Activation",
    "role": "Role",
    "login_lock": "Login lock",
    "password": "Password",
    "max_open_positions": "Max open positions",
    "max_order_usd": "Max USD per order",
    "cooldown_s": "Cooldown between opens (seconds)",
    "daily_loss_limit_usd": "Daily loss limit (USD)",
}


def field_label(field: str) -> str:
    """Words for a recorded field; an unknown one still reads as words, not as a code name."""
    return FIELD_LABELS.get(field) or field.replace("_", " ").strip().capitalize()


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
        "field_label": field_label(entry.field),
        "before": entry.before,
        "after": entry.after,
        "created_at": entry.created_at.isoformat(),
    }
