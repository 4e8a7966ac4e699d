"""Incidents: incidents that need a decision, written so they are never lost."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from egis.ledger.models import Incident, IncidentStatus
from egis.ledger.notices import incident_notice


def incident_record(
    *,
    kind: str,
    bot_id: int | None,
    order_id: int | None = None,
    client_order_id: str = "",
    venue_order_id: str = "",
    intent: str = "",
    payload: dict[str, Any] | None = None,
    error: str = "",
    dedupe_key: str | None = None,
) -> Incident:
    """Write one incident in its own transaction; a repeated `dedupe_key` returns the first."""
    if dedupe_key:
        existing = Incident.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                kind=kind,
                bot_id=bot_id,
                order_id=order_id,
                client_order_id=client_order_id,
                venue_order_id=venue_order_id,
                intent=intent,
                payload=payload or {},
                error=error[:2000],
                dedupe_key=dedupe_key,
                status=IncidentStatus.OPEN,
            )
            incident_notice(
                incident_id=incident.pk,
                kind=kind,
                bot_id=bot_id,
                error=error,
                client_order_id=client_order_id,
            )
            return incident
    except IntegrityError:
        found = Incident.objects.filter(dedupe_key=dedupe_key).first()
        if found is None:
            raise
        return found
