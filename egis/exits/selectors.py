"""Reads of exits for the pages, the API and the CLI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from egis.exits.models import BROKEN_EXIT_STATUSES, LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.event_words import CLOSE_ALL_KEY_PREFIX
from egis.ledger.models import Order, OrderIntent, Position, PositionStatus


def exits_shown_for(position_ids: Iterable[int]) -> dict[int, list[Exit]]:
    """Per open position: its live exits, and the ones that broke (expired/failed) since its
    last change, which the page shows loudly."""
    ids = list(position_ids)
    found: dict[int, list[Exit]] = defaultdict(list)
    if not ids:
        return found
    rows = Exit.objects.filter(
        position_id__in=ids, status__in=[*LIVE_EXIT_STATUSES, *BROKEN_EXIT_STATUSES]
    ).order_by("position_id", "kind", "-id")
    for row in rows:
        same_kind = [e for e in found[row.position_id] if e.kind == row.kind]
        if row.status in BROKEN_EXIT_STATUSES and same_kind:
            continue  # replaced since it broke: the newer row tells the truth
        found[row.position_id].append(row)
    return found


def fired_exits_of(position_ids: Iterable[int]) -> dict[int, Exit]:
    """The exit that closed each position (if one did)."""
    ids = list(position_ids)
    if not ids:
        return {}
    rows = Exit.objects.filter(position_id__in=ids, status=ExitStatus.TRIGGERED).order_by("id")
    return {row.position_id: row for row in rows}


def close_all_admins(position_ids: Iterable[int]) -> dict[int, str]:
    """Per position closed by an admin's Close all: the admin's name (the close order's author;
    its idempotency key marks the Close all, egis.ledger.event_words)."""
    ids = list(position_ids)
    if not ids:
        return {}
    rows = Order.objects.filter(
        position_id__in=ids,
        intent=OrderIntent.CLOSE,
        idempotency_key__startswith=CLOSE_ALL_KEY_PREFIX,
        executed_qty__gt=0,
    ).values_list("position_id", "created_by__username")
    return {pid: name or "an admin" for pid, name in rows}


def open_positions_with_exits(bot_id: int) -> list[tuple[Position, list[Exit]]]:
    positions = list(
        Position.objects.filter(bot_id=bot_id, status=PositionStatus.OPEN).order_by("id")
    )
    shown = exits_shown_for(p.pk for p in positions)
    return [(p, shown.get(p.pk, [])) for p in positions]


def exit_find(exit_id: int) -> Exit | None:
    return Exit.objects.filter(pk=exit_id).first()
