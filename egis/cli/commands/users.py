from __future__ import annotations

import argparse
from typing import Any

from egis.accounts.models import User
from egis.accounts.services import (
    user_activate,
    user_create,
    user_deactivate,
    user_password_reset,
    user_unlock,
)
from egis.cli.commands.base import CliError, get_user, leaf


def _create(args: argparse.Namespace) -> dict[str, Any]:
    user, password = user_create(username=args.name, role=args.role, password=args.password)
    result: dict[str, Any] = {"id": user.pk, "username": user.username, "role": user.role}
    if not args.password:
        result["password"] = password  # generated: shown once, never stored in clear
    return result


def _actor(username: str | None) -> User | None:
    """The admin named by --actor; None is the operator at the command line (no Egis login)."""
    if username is None:
        return None
    actor = get_user(username)
    if not actor.is_admin:
        raise CliError(f"{username!r} is not an admin")
    return actor


def _unlock(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.name)
    dropped = user_unlock(user=user, actor=_actor(args.actor))
    return {"username": user.username, "unlocked": True, "failures_dropped": dropped}


def _deactivate(args: argparse.Namespace) -> dict[str, Any]:
    user = user_deactivate(user=get_user(args.name), actor=_actor(args.actor))
    return {"username": user.username, "is_active": user.is_active}


def _activate(args: argparse.Namespace) -> dict[str, Any]:
    user = user_activate(user=get_user(args.name), actor=_actor(args.actor))
    return {"username": user.username, "is_active": user.is_active}


def _reset_password(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.name)
    reset = user_password_reset(user=user, actor=_actor(args.actor))
    # Both shown once, here; the database keeps a password hash and a token hash only.
    return {
        "username": user.username,
        "password": reset.password,
        "api_token": reset.raw_token,
        "api_token_id": reset.token.pk,
    }


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True
    )
    create = leaf(group, "create", _create, "create a user")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=["admin", "user"])
    create.add_argument("--password", default=None)
    unlock = leaf(group, "unlock", _unlock, "lift a user's login lock, from every address")
    unlock.add_argument("name")
    unlock.add_argument("--actor", default=None, metavar="USERNAME", help="the admin who decides")
    for name, handler, text in (
        ("deactivate", _deactivate, "stop a user: no login, no API token, no webhook"),
        ("activate", _activate, "let a deactivated user log in again"),
    ):
        command = leaf(group, name, handler, text)
        command.add_argument("name")
        command.add_argument("--actor", default=None, metavar="USERNAME", help="the admin")
    reset = leaf(
        group,
        "reset-password",
        _reset_password,
        "give a user a generated password and a new API token (printed once)",
    )
    reset.add_argument("name")
    reset.add_argument("--actor", default=None, metavar="USERNAME", help="the admin who decides")
