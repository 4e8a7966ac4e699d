"""The cockpit on the command line (egis.portfolio): `egis bot pause|resume|close-all`,
`egis export BOT_ID --what positions|orders`, `egis reconcile-totals`."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from egis.cli.commands.base import CliError, cli_actor_label, get_bot, get_user, id_arg, leaf
from egis.portfolio.export import WHAT, csv_chunks
from egis.portfolio.lines import pause_json
from egis.portfolio.pause import bot_set_paused
from egis.portfolio.stop import CloseAllError, close_all, close_all_plan
from egis.portfolio.totals_check import totals_drift_check, totals_rebuild


def _actor(args: argparse.Namespace) -> tuple[Any, str | None]:
    actor = get_user(args.actor) if args.actor else None
    return actor, None if actor else cli_actor_label()


def _pause(args: argparse.Namespace, *, paused: bool) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    actor, label = _actor(args)
    updated, changed = bot_set_paused(bot_id=bot.pk, paused=paused, actor=actor, actor_label=label)
    return {"bot_id": updated.pk, **pause_json(updated), "changed": changed}


def _pause_cmd(args: argparse.Namespace) -> dict[str, Any]:
    return _pause(args, paused=True)


def _resume_cmd(args: argparse.Namespace) -> dict[str, Any]:
    return _pause(args, paused=False)


def _close_all(args: argparse.Namespace) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    actor = get_user(args.actor)
    if args.dry_run:
        return {"bot_id": bot.pk, "would_send": [p.as_json() for p in close_all_plan(bot.pk)]}
    try:
        return close_all(
            bot_id=bot.pk, actor=actor, actor_label=f"{actor.username} (cli)"
        ).as_json()
    except CloseAllError as exc:
        raise CliError(str(exc)) from exc


def write_export(bot_id: int, what: str, out: TextIO) -> int:
    """Write the CSV to `out` chunk by chunk; returns the number of data rows."""
    lines = -1  # the header
    for chunk in csv_chunks(bot_id, what):
        out.write(chunk)
        lines += chunk.count("\r\n")
    out.flush()
    return lines


def _export(args: argparse.Namespace) -> dict[str, Any] | None:
    bot = get_bot(args.bot_id)
    if args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as out:
            rows = write_export(bot.pk, args.what, out)
        return {"bot_id": bot.pk, "what": args.what, "rows": rows, "out": args.out}
    write_export(bot.pk, args.what, sys.stdout)
    return None  # the CSV is the output: nothing else is printed


def _totals(args: argparse.Namespace) -> dict[str, Any]:
    if args.rebuild is not None:
        bot = get_bot(args.rebuild)
        rebuilt = totals_rebuild(bot.pk)
        return {"bot_id": bot.pk, "rebuilt": {k: str(v) for k, v in rebuilt.as_values().items()}}
    found = totals_drift_check(args.bot, record=not args.no_record)
    return {
        "summary": f"{len(found)} bots' closed totals differ from the sum of their positions",
        "items": [f.as_json() for f in found],
    }


def register_bot_actions(group: Any) -> None:
    """`egis bot pause|resume|close-all` (added to the `bot` group by egis.cli.commands.bots)."""
    for name, handler, text in (
        ("pause", _pause_cmd, "pause a bot: no new opens from any source; closes still work"),
        ("resume", _resume_cmd, "resume a paused bot"),
    ):
        cmd = leaf(group, name, handler, text)
        cmd.add_argument("bot_id", type=id_arg("BOT_ID"))
        cmd.add_argument("--actor", default=None, metavar="USERNAME", help="who does it")
    close = leaf(group, "close-all", _close_all, "close every open position of a bot (admins)")
    close.add_argument("bot_id", type=id_arg("BOT_ID"))
    close.add_argument("--actor", required=True, metavar="ADMIN", help="the admin who does it")
    close.add_argument("--dry-run", action="store_true", help="list what would be sent")


def register(subparsers: Any) -> None:
    export = leaf(
        subparsers, "export", _export, "CSV of a bot's closed positions or orders (streamed)"
    )
    export.add_argument("bot_id", type=id_arg("BOT_ID"))
    export.add_argument("--what", required=True, choices=list(WHAT))
    export.add_argument("--out", default=None, metavar="FILE", help="write here, not to stdout")
    totals = leaf(
        subparsers,
        "reconcile-totals",
        _totals,
        "check the per-bot closed totals against the sum of the positions (or --rebuild one)",
    )
    totals.add_argument("--bot", type=id_arg("--bot"), default=None, metavar="ID")
    totals.add_argument("--rebuild", type=id_arg("--rebuild"), default=None, metavar="BOT_ID")
    totals.add_argument("--no-record", action="store_true", help="report without an incident")
