"""`egis hook create|rotate|revoke BOT_ID`, `egis signals BOT_ID`, `egis signal process`.

The secret is printed once, by create and rotate; Egis keeps it only encrypted.
"""

from __future__ import annotations

import argparse
from typing import Any

from egis.cli.commands.base import cli_actor_label, get_bot, id_arg, int_arg, leaf
from egis.signals.hooks import IssuedHook, hook_create, hook_revoke, hook_rotate
from egis.signals.models import SignalStatus
from egis.signals.processing import signal_process
from egis.signals.selectors import hook_reach_note, hook_url, signal_list
from egis.signals.template import bot_tradingview_template


def _issued_json(issued: IssuedHook) -> dict[str, Any]:
    url = hook_url(issued.hook.hook_id)
    reach = (
        hook_reach_note(url, admin=True)
        if url.startswith("http")
        else "the url is relative: put your server's public address before it (or set "
        "EGIS_PUBLIC_URL and Egis prints it whole)"
    )
    return {
        "bot_id": issued.hook.bot_id,
        "url": url,
        "secret": issued.secret,
        "template": bot_tradingview_template(issued.hook.bot, issued.secret),
        "note": "shown once: store the secret now; Egis keeps it only encrypted"
        + (f"; {reach}" if reach else ""),
    }


def _create(args: argparse.Namespace) -> dict[str, Any]:
    return _issued_json(hook_create(bot_id=get_bot(args.bot_id).pk, actor_label=cli_actor_label()))


def _rotate(args: argparse.Namespace) -> dict[str, Any]:
    return _issued_json(hook_rotate(bot_id=get_bot(args.bot_id).pk, actor_label=cli_actor_label()))


def _revoke(args: argparse.Namespace) -> dict[str, Any]:
    hook = hook_revoke(bot_id=get_bot(args.bot_id).pk, actor_label=cli_actor_label())
    revoked = hook.revoked_at.isoformat() if hook.revoked_at else None
    return {"bot_id": hook.bot_id, "revoked_at": revoked}


def _list(args: argparse.Namespace) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    rows, total = signal_list(bot_id=bot.pk, status=args.status, limit=args.limit)
    return {"bot_id": bot.pk, "total": total, "signals": rows}


def _process(args: argparse.Namespace) -> dict[str, Any]:
    done = signal_process(bot_id=args.bot)
    return {
        "processed": [{"id": s.pk, "status": s.status, "reason": s.reason} for s in done],
    }


def register(subparsers: Any) -> None:
    hooks = subparsers.add_parser("hook", help="a bot's signal webhook").add_subparsers(
        dest="action", required=True
    )
    create = leaf(hooks, "create", _create, "create a bot's webhook (url and secret shown once)")
    create.add_argument("bot_id", type=id_arg("bot id"))
    rotate = leaf(hooks, "rotate", _rotate, "new url and secret; the old ones stop at once")
    rotate.add_argument("bot_id", type=id_arg("bot id"))
    revoke = leaf(hooks, "revoke", _revoke, "revoke a bot's webhook")
    revoke.add_argument("bot_id", type=id_arg("bot id"))

    listing = leaf(subparsers, "signals", _list, "a bot's signals, newest first")
    listing.add_argument("bot_id", type=id_arg("bot id"))
    listing.add_argument("--status", choices=SignalStatus.values, default=None)
    listing.add_argument("--limit", type=int_arg("--limit", minimum=1, maximum=1000), default=50)

    signal = subparsers.add_parser("signal", help="signal processing").add_subparsers(
        dest="action", required=True
    )
    process = leaf(signal, "process", _process, "execute queued signals once (oldest first)")
    process.add_argument("--bot", type=id_arg("--bot"), default=None, help="only this bot")
