"""`egis recover`: import the journal, settle or release in-flight orders, complete pending fees,
and say which orders were too young to examine yet."""

from __future__ import annotations

import argparse
from typing import Any

from egis.cli.commands.base import int_arg, leaf
from egis.execution.recovery import recover


def _recover(args: argparse.Namespace) -> dict[str, Any]:
    report = recover(timeout_s=args.timeout)
    if args.json:
        return report.as_json()
    out: dict[str, Any] = {"summary": report.summary_line()}
    if report.outcomes:
        out["orders"] = [
            f"{o.client_order_id} ({o.intent}, bot #{o.bot_id}): {o.action}, now {o.order_status}"
            f" - {o.detail}" + (f" [incident #{o.incident_id}]" if o.incident_id else "")
            for o in report.outcomes
        ]
    if report.not_examined:
        out["not_examined_yet"] = [
            f"{o.client_order_id} ({o.intent}, bot #{o.bot_id}): submitting for {o.age_seconds} s;"
            f" looked up once {o.timeout_seconds} s old (its request may still be on its way)"
            for o in report.not_examined
        ]
    if report.fees:
        out["pending_fees"] = [
            f"{f.client_order_id} (bot #{f.bot_id}): "
            f"{'completed' if f.completed else 'still pending'} - {f.detail}"
            for f in report.fees
        ]
    if report.journal and report.journal.imported:
        out["imported_from_journal"] = [f"incident #{pk}" for pk in report.journal.imported]
    return out


def register(subparsers: Any) -> None:
    cmd = leaf(
        subparsers,
        "recover",
        _recover,
        "import the recovery journal and settle or release orders left in flight",
    )
    cmd.add_argument(
        "--timeout",
        type=int_arg("--timeout", minimum=0, maximum=10**9),
        default=None,
        metavar="SECONDS",
        help="look up orders still submitting once older than this (default "
        "EGIS_RECOVERY_TIMEOUT_S); unknown ones are looked up at once",
    )
