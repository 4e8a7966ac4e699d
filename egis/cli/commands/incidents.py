"""`egis incidents list|show|resolve`: the incident workflow."""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

from egis.cli.commands.base import cli_actor_label, get_user, id_arg, leaf, reason_arg
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import ACTIONS, incident_get, incident_json
from egis.ledger.models import IncidentKind, IncidentStatus
from egis.ledger.selectors import incident_list


def _list(args: argparse.Namespace) -> dict[str, Any]:
    rows = incident_list(
        status=None if args.all else IncidentStatus.OPEN, bot_id=args.bot, kind=args.kind
    )
    if args.json:
        return {"incidents": [incident_json(r) for r in rows]}
    if not rows:
        return {"incidents": "none open" if not args.all else "none"}
    return {
        "incidents": [
            f"#{r.pk} {r.status} {r.kind} bot #{r.bot_id}"
            + (f" order {r.client_order_id}" if r.client_order_id else "")
            + f": {r.error[:120]}"
            for r in rows
        ]
    }


def _show(args: argparse.Namespace) -> dict[str, Any]:
    return incident_json(incident_get(args.id), full=True)


def _actor(username: str | None) -> Any:
    if username:
        return get_user(username)
    return SimpleNamespace(pk=None, username=cli_actor_label()[:80])


def _resolve(args: argparse.Namespace) -> dict[str, Any]:
    resolution = incident_resolve(
        incident_id=args.id,
        action=args.action,
        reason=args.reason,
        actor=_actor(args.actor),
        price=args.price,
        position_id=args.position,
    )
    return resolution.as_json()


def register(subparsers: Any) -> None:
    group = subparsers.add_parser(
        "incidents", help="incidents that need a decision"
    ).add_subparsers(dest="action_name", required=True)
    list_cmd = leaf(group, "list", _list, "open incidents (--all: every one)")
    list_cmd.add_argument("--all", action="store_true", help="resolved ones too")
    list_cmd.add_argument("--bot", type=id_arg("--bot"), default=None, metavar="ID")
    list_cmd.add_argument("--kind", default="", choices=["", *IncidentKind.values])
    show = leaf(group, "show", _show, "one incident with its payload and possible actions")
    show.add_argument("id", type=id_arg("id"))
    resolve = leaf(group, "resolve", _resolve, "resolve one with an explicit, audited action")
    resolve.add_argument("id", type=id_arg("id"))
    resolve.add_argument("--action", required=True, choices=list(ACTIONS))
    resolve.add_argument(
        "--reason", required=True, type=reason_arg(), help="why: kept in the audit trail"
    )
    resolve.add_argument("--price", default=None, help="close-position: the price to close at")
    resolve.add_argument("--position", type=id_arg("--position"), default=None, metavar="ID")
    resolve.add_argument("--actor", default=None, metavar="USERNAME", help="who decides")
