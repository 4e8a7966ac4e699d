"""The exits asked with an open: set once its fill is booked, whichever process books it.

An open can carry its exits (take-profit, stop-loss, trailing stop). They are written ahead with
the order (`Order.exits_asked`, in the preflight's transaction, before the venue hears of the
order) and set on the position once the fill is booked:

- by the pipeline, right after the fill (`exits_attach_asked` with the changes it holds);
- after a process died between the venue's fill and the exits (a SIGKILL, a deploy), by
  recovery (`exits_asked_catch_up`, at worker start-up and every minute), or by the signal that
  resumes the open (egis.signals.processing).

A catch-up sets only the kinds no exit row was ever written for: a row of any status means the
kind was set, and perhaps changed or cancelled since by a person, which a catch-up must not
undo. Once handled (set; refused, logged and audited as `exit_not_set`; or nothing to set on a
position no longer open) the order's `exits_asked` is cleared. An order still in flight keeps
it: recovery learns its fate first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q

from egis.bots.models import Bot
from egis.exits.models import Exit
from egis.exits.rules import ExitChanges, changes_from_json
from egis.exits.services import exits_attach_after_open
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order
from egis.venues.base import VenueAdapter


def exits_attach_asked(
    order: Order,
    *,
    actor: Any,
    venue: VenueAdapter | None,
    changes: ExitChanges | None = None,
) -> list[Exit]:
    """Set the exits asked with this open and clear its `exits_asked`. `changes`: the ones the
    pipeline holds for the order it just booked (nothing can have been written for a position
    that new); without them, the stored ones, of the kinds never written (a catch-up)."""
    if order.status in IN_FLIGHT_ORDER_STATUSES:
        return []  # its fate is recovery's to learn first; the exits wait for it
    if changes is None:
        asked = changes_from_json(order.exits_asked or {})
        written = set(
            Exit.objects.filter(position_id=order.position_id).values_list("kind", flat=True)
        )
        changes = {kind: spec for kind, spec in asked.items() if kind not in written}
    exits = exits_attach_after_open(order.position_id, changes, actor=actor, venue=venue)
    Order.objects.filter(pk=order.pk).update(exits_asked=None)
    order.exits_asked = None
    return exits


def exits_asked_catch_up(
    *,
    now: datetime,
    timeout_s: int | None = None,
    venue_factory: Callable[[Bot], VenueAdapter],
    booked_now: list[int] | None = None,
) -> list[int]:
    """Set the exits of booked opens whose process died before it set them; returns the ids of
    the orders handled. Those recovery itself just booked (`booked_now`: their process is gone),
    and any booked (or, never booked, created) longer than the recovery timeout ago: the
    process that placed a younger one may still be setting them."""
    timeout = settings.EGIS_RECOVERY_TIMEOUT_S if timeout_s is None else timeout_s
    cutoff = now - timedelta(seconds=timeout)
    due = (
        Order.objects.filter(exits_asked__isnull=False)
        .exclude(status__in=IN_FLIGHT_ORDER_STATUSES)
        .filter(
            Q(pk__in=booked_now or [])
            | Q(settled_at__lte=cutoff)
            | Q(settled_at__isnull=True, created_at__lte=cutoff)
        )
        .select_related("bot")
        .order_by("id")
    )
    handled = []
    for order in due:
        exits_attach_asked(order, actor=None, venue=venue_factory(order.bot))
        handled.append(order.pk)
    return handled
