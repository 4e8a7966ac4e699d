"""`manage.py egis <group> <action> ... [--json]`: the operator CLI.

Success prints the result (one JSON object with --json) and exits 0. A refusal or bad input
prints one line on stderr (and a JSON error object with --json) and exits non-zero; never a
traceback. Exit codes: 1 refused or bad input, 2 usage, 3 venue did not book the order,
4 database busy or read-only before anything was sent (try again), 70 internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError

from egis.cli.commands import GROUPS
from egis.cli.commands.base import EXIT_DATABASE_BUSY, refuse_bad_arguments
from egis.core.errors import DATABASE_BUSY_MESSAGE, UserFacingError

logger = logging.getLogger("egis.cli")


class Command(BaseCommand):
    help = "Egis operator commands (users, bots, prices, orders, budget, positions, ...)"
    # Operator commands print one result; deployment checks belong to `manage.py check`.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if os.path.basename(prog_name) == "egis":  # the console script (egis.cli.main)
            _rename_prog(parser, f"egis {subcommand}", "egis")  # not "egis egis hook ..."
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
        for module in GROUPS:
            module.register(subparsers)

    def handle(self, *args: Any, **options: Any) -> None:
        handler = options.get("handler")
        as_json = bool(options.get("json"))
        args_ns = _namespace(options)
        try:
            if handler is None:
                raise UserFacingError("choose a command: egis --help")
            refuse_bad_arguments(args_ns)
            result = handler(args_ns)
        except UserFacingError as exc:
            self._fail(
                str(exc),
                code=getattr(exc, "code", "refused"),
                exit_code=exc.exit_code,
                as_json=as_json,
                extra=_error_extra(exc),
            )
        except OperationalError as exc:
            # Locked or read-only: the pipeline handles database failures after a venue call
            # itself (rule 5), so this one came before it and nothing was sent.
            logger.debug("database busy", exc_info=True)
            unmigrated = str(exc).startswith(("no such table", "no such column"))
            self._fail(
                f"The database is not migrated: nothing was sent. Run `manage.py migrate`. ({exc})"
                if unmigrated
                else f"{DATABASE_BUSY_MESSAGE} ({exc})",
                code="busy",
                exit_code=EXIT_DATABASE_BUSY,
                as_json=as_json,
                extra={},
            )
        except Exception as exc:  # a bug: say so in one line, keep the traceback in the log
            logger.debug("internal error", exc_info=True)
            self._fail(
                f"internal error: {type(exc).__name__}: {exc}",
                code="internal",
                exit_code=70,
                as_json=as_json,
                extra={},
            )
        else:
            if result is None:  # the command wrote its own output (egis export: the CSV)
                return
            if as_json:
                sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
            else:
                sys.stdout.write(_human(result) + "\n")

    def _fail(
        self, message: str, *, code: Any, exit_code: int, as_json: bool, extra: dict[str, Any]
    ) -> None:
        line = " ".join(message.split())
        sys.stderr.write(f"egis: {line}\n")
        if as_json:
            payload = {"error": {"code": str(code), "message": line, **extra}}
            sys.stdout.write(json.dumps(payload, sort_keys=True) + "\n")
        sys.stdout.flush()
        sys.exit(exit_code)


def _rename_prog(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    """The usage lines of `parser` and every subcommand's, their leading `old` made `new`."""
    if parser.prog.startswith(old):
        parser.prog = new + parser.prog[len(old) :]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action._prog_prefix = new + action._prog_prefix.removeprefix(old)
            for child in action.choices.values():
                _rename_prog(child, old, new)


def _namespace(options: dict[str, Any]) -> Any:
    import argparse

    return argparse.Namespace(**options)


def _error_extra(exc: Exception) -> dict[str, Any]:
    extra: dict[str, Any] = dict(getattr(exc, "details", {}) or {})
    for name in ("client_order_id", "incident_id", "order_status"):
        if getattr(exc, name, None) is not None:
            extra[name] = getattr(exc, name)
    return extra


def _human(value: Any, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.append(_human(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {item}")
        return "\n".join(lines)
    if isinstance(value, list):
        return "\n".join(
            (_human(item, indent) if isinstance(item, (dict, list)) else f"{pad}- {item}")
            + ("\n" if isinstance(item, dict) else "")
            for item in value
        ).rstrip("\n")
    return f"{pad}{value}"
