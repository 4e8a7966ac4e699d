"""Incidents: incidents that need a decision, written so they are never lost."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from egis.bots.halt_words import DRIFT_HALT_PREFIX as _DRIFT_HALT_PREFIX
from egis.bots.models import Bot
from egis.ledger.models import Incident, IncidentKind, IncidentStatus
from egis.ledger.notices import halt_notice, incident_notice

logger = logging.getLogger("egis.drift")

# A bot halted by drift says so first; releasing drift halts looks for it (the pages word it:
# egis.bots.halt_words, where it is defined).
DRIFT_HALT_PREFIX = _DRIFT_HALT_PREFIX


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


def drift_incident_open(
    *, prefix: str, bot_ids: Sequence[int], payload: dict[str, Any], error: str, what: str
) -> Incident:
    """One open drift incident per key prefix (a scope + symbol, of positions or of exits):
    found while it is open, else opened; the bots named are halted for new opens and told."""
    incident = (
        Incident.objects.filter(
            kind=IncidentKind.DRIFT, status=IncidentStatus.OPEN, dedupe_key__startswith=prefix
        )
        .order_by("id")
        .first()
    )
    if incident is None:
        # Resolved incidents keep their keys: the next one of this scope gets the next number,
        # and two checkers running at once compute the same key and meet on the unique index.
        seq = Incident.objects.filter(dedupe_key__startswith=prefix).count() + 1
        incident = incident_record(
            kind=IncidentKind.DRIFT,
            bot_id=bot_ids[0] if bot_ids else None,
            payload={**payload, "detected_at": timezone.now().isoformat()},
            error=error,
            dedupe_key=f"{prefix}{seq}",
        )
        logger.error("%s (incident #%s)", error, incident.pk)
    reason = f"{DRIFT_HALT_PREFIX}{what} (incident #{incident.pk})"[:300]
    halting = list(
        Bot.objects.filter(pk__in=bot_ids, halted_reason="").values_list("pk", flat=True)
    )
    Bot.objects.filter(pk__in=halting, halted_reason="").update(halted_reason=reason)
    halt_notice(halting, halted=True, reason=reason)
    return incident
