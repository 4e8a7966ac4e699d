"""`egis notify set USER ...`, `egis notify test USER`, `egis notify log USER`,
`egis notify rotate-secret USER`, `egis notify deliver [--user USER]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from egis.cli.commands.base import CliError, get_user, int_arg, leaf
from egis.core.inputs import InputError
from egis.notifications.delivery import deliver_due
from egis.notifications.events import EVENT_KINDS
from egis.notifications.presenters import CLI_FLAGS, in_words, saved_sentence
from egis.notifications.selectors import (
    deliveries_of,
    delivery_json,
    notification_settings_json,
)
from egis.notifications.services import (
    NotifyError,
    notify_settings_update,
    notify_test,
    webhook_secret_rotate,
)

_WEBHOOK_NOTE = "shown once: give it to your receiver now; Egis keeps it only encrypted"


def _read_token(raw: str | None) -> str | None:
    # `--telegram-token -` reads it from stdin, so it stays out of shell history and `ps`.
    if raw != "-":
        return raw
    line = sys.stdin.readline().strip()
    if not line:
        raise CliError("no Telegram bot token on stdin")
    return line


def _events(raw: str | None) -> object:
    if raw is None:
        return None
    return {"all": list(EVENT_KINDS), "none": []}.get(raw, raw)


def _shown(user: Any, secret: str | None = None) -> dict[str, Any]:
    out = {"user": user.username, **notification_settings_json(user)}
    out.pop("event_choices")
    if secret:
        out["webhook_secret"] = secret
        out["note"] = _WEBHOOK_NOTE
    return out


def _set(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user)
    given = (args.telegram_token, args.telegram_chat, args.webhook_url, args.events)
    if all(v is None for v in given):
        raise CliError(
            "nothing to set: give --telegram-token/--telegram-chat, --webhook-url or --events"
        )
    try:
        result = notify_settings_update(
            user=user,
            telegram_token=_read_token(args.telegram_token),
            telegram_chat_id=args.telegram_chat,
            webhook_url=args.webhook_url,
            events_chosen=_events(args.events),
        )
    except (InputError, NotifyError) as exc:
        # In the flags' words ("--telegram-chat is missing", not "telegram_chat_id ...").
        raise CliError(in_words(exc, CLI_FLAGS)) from exc
    return {**_shown(user, result.webhook_secret), "saved": saved_sentence(result)}


def _rotate(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user)
    return _shown(user, webhook_secret_rotate(user=user).webhook_secret)


def _test(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user)
    queued = notify_test(user=user)
    out: dict[str, Any] = {"user": user.username, "queued": queued}
    if args.deliver:
        # Delivered from this process at once (the operator is waiting), not by the worker.
        run = deliver_due(user_id=user.pk)
        out.update(sent=run.sent, retried=run.retried, failed=run.failed)
    out["deliveries"] = [delivery_json(d) for d in deliveries_of(user, limit=queued)]
    return out


def _log(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user)
    return {
        "user": user.username,
        "deliveries": [delivery_json(d) for d in deliveries_of(user, limit=args.limit)],
    }


def _deliver(args: argparse.Namespace) -> dict[str, Any]:
    user = get_user(args.user) if args.user else None
    run = deliver_due(user_id=user.pk if user else None)
    return {"sent": run.sent, "retried": run.retried, "failed": run.failed}


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("notify", help="notifications (Telegram, webhook)")
    actions = group.add_subparsers(dest="action", required=True)
    setter = leaf(actions, "set", _set, "set up a person's Telegram chat, webhook or events")
    setter.add_argument("user")
    setter.add_argument("--telegram-token", help="the bot token from @BotFather ('-': stdin)")
    setter.add_argument("--telegram-chat", help="the chat id; '' removes Telegram")
    setter.add_argument("--webhook-url", help="https URL for signed JSON; '' removes it")
    setter.add_argument(
        "--events", help=f"comma-separated, 'all' or 'none': {', '.join(EVENT_KINDS)}"
    )
    rotate = leaf(actions, "rotate-secret", _rotate, "a new webhook signing secret (shown once)")
    rotate.add_argument("user")
    test = leaf(actions, "test", _test, "queue a test message on every channel of a person")
    test.add_argument("user")
    test.add_argument("--deliver", action="store_true", help="send it now from this process")
    log = leaf(actions, "log", _log, "a person's delivery log, newest first")
    log.add_argument("user")
    log.add_argument("--limit", type=int_arg("--limit", minimum=1, maximum=500), default=20)
    deliver = leaf(actions, "deliver", _deliver, "send every due notification once (as the worker)")
    deliver.add_argument("--user", default=None)
