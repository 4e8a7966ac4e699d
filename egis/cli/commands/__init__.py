"""Sub-command groups of `egis`. Each module has `register(subparsers)`; add new ones to GROUPS."""

from __future__ import annotations

from types import ModuleType

from egis.cli.commands import (
    accounts,
    audit,
    bots,
    cockpit,
    demo,
    exchange,
    exits,
    incidents,
    notify,
    orders,
    prices,
    reconcile,
    recovery,
    signals,
    tokens,
    users,
)

GROUPS: tuple[ModuleType, ...] = (
    users,
    bots,
    prices,
    orders,
    demo,
    accounts,
    exchange,
    tokens,
    recovery,
    reconcile,
    incidents,
    audit,
    signals,
    exits,  # issue 12
    cockpit,
    notify,
)
