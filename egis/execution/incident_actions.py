"""Incidents as a workflow: list, show, resolve with an explicit, audited action.

Actions (`incident_resolve`):
  apply-venue-fill  book what the venue reports for the incident's order (looked up again by
                    client order id; the report stored with the incident if the venue is out of
                    reach), through the normal settle code
  void-order        the order is void: mark it failed and release its hold (refused while the
                    venue reports a fill for it)
  close-position    close the position in the ledger at a stated price, without a venue order
                    (the venue has nothing to close: a refused reduce-only close, drift)
  acknowledge       a drift incident whose difference is gone (e.g. the paper book was rebuilt);
                    refused while the drift is still there

Every resolution is one transaction: the incident moves open -> resolved by compare-and-set (two
people resolving at once: one wins, the other is told), and a `position_events` row records the
action, actor and reason. Nothing is deleted. Resolving the last drift incident of a bot lifts
its drift halt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from egis.bots.locks import lock_bots
from egis.execution.incident_acknowledge import acknowledge
from egis.execution.incident_base import (
    ACTIONS,
    APPLY_VENUE_FILL,
    CLOSE_POSITION,
    VOID_ORDER,
    IncidentError,
    available_actions,
    incident_close,
    incident_get,
    incident_json,
)
from egis.execution.incident_close_position import close_position
from egis.execution.incident_order_actions import (
    VenueLookup,
    apply_venue_fill,
    venue_lookup,
    void_order,
)
from egis.ledger.models import Incident, IncidentKind, IncidentStatus, Position
from egis.reconcile.drift import drift_halts_release, incident_bot_ids
from egis.venues.base import VenueAdapter


@dataclass(frozen=True)
class Resolution:
    incident: Incident
    action: str
    detail: str
    halts_lifted: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "incident": incident_json(self.incident),
            "action": self.action,
            "detail": self.detail,
            "halts_lifted": self.halts_lifted,
        }


def _normalise_action(action: str) -> str:
    chosen = (action or "").strip().lower().replace("_", "-")
    if chosen not in ACTIONS:
        raise IncidentError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    return chosen


def incident_resolve(
    *,
    incident_id: int,
    action: str,
    reason: str,
    actor: Any = None,
    price: object = None,
    position_id: int | None = None,
    venue: VenueAdapter | None = None,
) -> Resolution:
    """Resolve one open incident with an explicit action; audited, all or nothing."""
    chosen = _normalise_action(action)
    reason = (reason or "").strip()
    if not reason:
        raise IncidentError("a reason is required (--reason TEXT)")
    incident = incident_get(incident_id)
    if incident.status != IncidentStatus.OPEN:
        raise IncidentError(
            f"incident #{incident.pk} is already {incident.status} ({incident.resolution})"
        )
    if chosen not in available_actions(incident):
        raise IncidentError(
            f"{chosen} does not apply to a {incident.kind} incident: use one of "
            f"{', '.join(available_actions(incident))}"
        )
    position: Position | None = None
    # Ask the venue before the transaction: no lock is ever held across a network call.
    lookup = (
        venue_lookup(incident, venue) if chosen in (APPLY_VENUE_FILL, VOID_ORDER) else VenueLookup()
    )
    with transaction.atomic():
        # The incident's bots first, then its order and position: the order of egis.bots.locks.
        order_bot = [incident.order.bot_id] if incident.order is not None else []
        lock_bots([*incident_bot_ids(incident), *order_bot])
        if chosen == APPLY_VENUE_FILL:
            detail = apply_venue_fill(incident, actor=actor, lookup=lookup)
        elif chosen == VOID_ORDER:
            detail = void_order(incident, actor=actor, reason=reason, lookup=lookup)
        elif chosen == CLOSE_POSITION:
            detail, position = close_position(
                incident, actor=actor, reason=reason, price=price, position_id=position_id
            )
        else:
            detail = acknowledge(incident)
        if not incident_close(
            incident,
            resolution=chosen,
            reason=f"{reason} ({detail})",
            actor=actor,
            position=position,
        ):
            raise IncidentError(f"incident #{incident.pk} was resolved meanwhile")
        lifted: list[int] = []
        if incident.kind in (IncidentKind.DRIFT, IncidentKind.SIGNAL_DRIFT):
            lifted = drift_halts_release(sorted(incident_bot_ids(incident)))
    return Resolution(incident_get(incident.pk), chosen, detail, lifted)
