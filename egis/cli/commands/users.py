from __future__ import annotations

import argparse
from typing import Any

from egis.accounts.services import user_create
from egis.cli.commands.base import leaf


def _create(args: argparse.Namespace) -> dict[str, Any]:
    user, password = user_create(username=args.name, role=args.role, password=args.password)
    result: dict[str, Any] = {"id": user.pk, "username": user.username, "role": user.role}
    if not args.password:
        result["password"] = password  # generated: shown once, never stored in clear
    return result


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True
    )
    create = leaf(group, "create", _create, "create a user")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=["admin", "user"])
    create.add_argument("--password", default=None)
