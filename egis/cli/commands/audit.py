from __future__ import annotations

import argparse
from typing import Any

from egis.audit.selectors import AUDIT_PAGE_SIZE, audit_entries, audit_entry_json
from egis.cli.commands.base import leaf


def _list(args: argparse.Namespace) -> dict[str, Any]:
    object_type, object_id = None, None
    if args.bot is not None:
        object_type, object_id = "bot", args.bot
    elif args.user is not None:
        object_type, object_id = "user", args.user
    entries = audit_entries(object_type=object_type, object_id=object_id, limit=args.limit)
    return {"entries": [audit_entry_json(e) for e in entries]}


def register(subparsers: Any) -> None:
    cmd = leaf(subparsers, "audit", _list, "who changed a budget, a role or an activation")
    target = cmd.add_mutually_exclusive_group()
    target.add_argument("--bot", type=int, default=None, metavar="ID", help="one bot's changes")
    target.add_argument("--user", type=int, default=None, metavar="ID", help="one user's changes")
    cmd.add_argument("--limit", type=int, default=AUDIT_PAGE_SIZE, help="newest N entries")
