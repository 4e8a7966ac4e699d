"""`egis token create USER` (prints the token once), `egis token list`, `egis token revoke ID`."""

from __future__ import annotations

import argparse
from typing import Any

from egis.accounts.models import ApiToken
from egis.accounts.tokens import token_create, token_list, token_revoke
from egis.cli.commands.base import get_user, id_arg, leaf


def token_json(token: ApiToken) -> dict[str, Any]:
    # Never the hash, never the clear token: the prefix is enough to tell tokens apart.
    return {
        "id": token.pk,
        "user": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def _create(args: argparse.Namespace) -> dict[str, Any]:
    token, raw = token_create(user=get_user(args.user), name=args.name)
    return {
        **token_json(token),
        "token": raw,
        "note": "shown once: store it now; Egis keeps only its hash",
    }


def _list(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user) if args.user else None
    return {"tokens": [token_json(t) for t in token_list(user=user)]}


def _revoke(args: argparse.Namespace) -> dict[str, Any]:
    return token_json(token_revoke(token_id=args.token_id))


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("token", help="API tokens").add_subparsers(
        dest="action", required=True
    )
    create = leaf(group, "create", _create, "create an API token for a user (printed once)")
    create.add_argument("user")
    create.add_argument("--name", default="", help="a label, e.g. the script that uses it")
    listing = leaf(group, "list", _list, "list API tokens (never their secrets)")
    listing.add_argument("--user", default=None)
    revoke = leaf(group, "revoke", _revoke, "revoke an API token for good")
    revoke.add_argument("token_id", type=id_arg("token id"))
