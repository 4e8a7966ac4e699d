"""Writing the audit trail. Callers change a field and call audit_record in the same atomic
block, so the row exists if and only if the change was committed."""

from __future__ import annotations

from django.db import models, transaction

from egis.accounts.models import User
from egis.audit.models import AuditEntry


class AuditOutsideTransaction(RuntimeError):
    """A bug: an audit row written outside the change's transaction could outlive a rollback
    (or be lost while the change stays)."""


def _label(target: models.Model) -> str:
    for attr in ("name", "username"):
        value = getattr(target, attr, None)
        if isinstance(value, str) and value:
            return value
    return f"#{target.pk}"


def audit_record(
    *,
    actor: User | None,
    target: models.Model,
    field: str,
    before: str,
    after: str,
    actor_label: str | None = None,
) -> AuditEntry:
    """One row: who (actor, or `actor_label` for the CLI/system), which object, which field,
    before and after. Must run inside the atomic block that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("audit_record must run in the change's transaction")
    label = actor_label or (actor.username if actor is not None else "system")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_label=label[:160],
        object_type=target._meta.model_name or "",
        object_id=target.pk,
        object_label=_label(target)[:160],
        field=field,
        before=before,
        after=after,
    )


def active_word(flag: bool) -> str:
    return "active" if flag else "inactive"
