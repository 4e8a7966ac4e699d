"""What every incident action shares: the action names and which apply to which incident, the
errors, the incident's JSON, and the audited compare-and-set that resolves it (also used by
recovery and the Binance exits when they settle an incident themselves)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from egis.core.errors import UserFacingError
from egis.ledger.events import event_record
from egis.ledger.models import EXIT_INCIDENT_KINDS, Incident, IncidentKind, IncidentStatus, Position
from egis.ledger.selectors import incident_find

APPLY_VENUE_FILL = "apply-venue-fill"
VOID_ORDER = "void-order"
CLOSE_POSITION = "close-position"
ACKNOWLEDGE = "acknowledge"
ACTIONS = (APPLY_VENUE_FILL, VOID_ORDER, CLOSE_POSITION, ACKNOWLEDGE)


class IncidentError(UserFacingError):
    code = "incident_refused"
    http_status = 409


class IncidentNotFound(IncidentError):
    code = "incident_not_found"
    http_status = 404


def incident_json(r: Incident, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": r.pk,
        "kind": r.kind,
        "status": r.status,
        "bot_id": r.bot_id,
        "order_id": r.order_id,
        "client_order_id": r.client_order_id,
        "venue_order_id": r.venue_order_id,
        "intent": r.intent,
        "error": r.error,
        "resolution": r.resolution,
        "resolution_reason": r.resolution_reason,
        "resolved_by": r.resolved_by.username if r.resolved_by else None,
        "created_at": r.created_at.isoformat() if r.created_at else None,
        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
    }
    if full:
        data["payload"] = r.payload
        data["actions"] = available_actions(r) if r.status == IncidentStatus.OPEN else []
    return data


def available_actions(r: Incident) -> list[str]:
    if r.kind == IncidentKind.DRIFT:
        return [CLOSE_POSITION, ACKNOWLEDGE]
    if r.kind == IncidentKind.SIGNAL_DRIFT:
        # The ledger is right; the sender missed an alert. An admin acknowledges once the sender
        # is back in step (close positions through the normal pipeline first if needed).
        return [ACKNOWLEDGE]
    if r.kind in EXIT_INCIDENT_KINDS:
        # Binance exits (issue 12): the exit's row already says what happened; a person
        # acknowledges once the position is protected again (or closed).
        return [ACKNOWLEDGE]
    if r.order_id is None:
        return [CLOSE_POSITION]
    return [APPLY_VENUE_FILL, VOID_ORDER, CLOSE_POSITION]


def incident_get(incident_id: int) -> Incident:
    found = incident_find(incident_id)
    if found is None:
        raise IncidentNotFound(f"incident #{incident_id} does not exist")
    return found


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def incident_close(
    incident: Incident,
    *,
    resolution: str,
    reason: str,
    actor: Any,
    position: Position | None = None,
) -> bool:
    """Mark an incident resolved (compare-and-set) and audit it; False if it was not open."""
    with transaction.atomic():
        user = _actor_user(actor)
        if user is None and actor is not None:
            reason = f"{reason} [by {getattr(actor, 'username', 'system')}]"
        updated = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.OPEN).update(
            status=IncidentStatus.RESOLVED,
            resolution=resolution[:32],
            resolution_reason=reason,
            resolved_by=user,
            resolved_at=timezone.now(),
        )
        if not updated:
            return False
        bot_id = incident.bot_id or (incident.order.bot_id if incident.order else None)
        if bot_id is not None:
            if position is None and incident.order is not None:
                position = Position.objects.filter(pk=incident.order.position_id).first()
            event_record(
                position=position,
                order=incident.order,
                bot_id=bot_id,
                action="reconciliation_resolved",
                after={"incident_id": incident.pk, "kind": incident.kind},
                actor=actor,
                reason=f"#{incident.pk} {resolution}: {reason}"[:2000],
            )
        incident.refresh_from_db()
        return True
