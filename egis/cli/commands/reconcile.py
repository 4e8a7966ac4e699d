"""`egis reconcile-paper-positions` and `egis drift`: find drift; repair the paper book."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from egis.cli.commands.base import id_arg, leaf
from egis.reconcile.drift import drift_check
from egis.reconcile.drift_report import DRIFT
from egis.reconcile.paper import paper_reconcile

PROGRESS_FROM = 50  # bots: below this a run is quick and prints no progress


def _progress(done: int, total: int) -> None:
    if total < PROGRESS_FROM:
        return
    step = max(1, total // 10)
    if done % step == 0 or done == total:
        sys.stderr.write(f"reconcile-paper-positions: {done}/{total} paper bots\n")
        sys.stderr.flush()


def _reconcile(args: argparse.Namespace) -> dict[str, Any]:
    result = paper_reconcile(bot_id=args.bot, confirm=args.confirm, progress=_progress)
    if args.json:
        return result.as_json()
    out: dict[str, Any] = {"summary": result.summary_line()}
    if args.debug:
        out["changes"] = [change.describe() for change in result.changes] or ["(none)"]
    return out


def _drift(args: argparse.Namespace) -> dict[str, Any]:
    report = drift_check(bot_id=args.bot)
    if args.json:
        return report.as_json()
    out: dict[str, Any] = {"summary": report.summary_line()}
    lines = []
    for item in report.items:
        if item.status == DRIFT or args.debug:
            line = f"{item.describe()}: {item.status}"
            if item.incident_id:
                line += f" (incident #{item.incident_id}, bots halted for opens)"
            if item.in_flight_orders:
                line += f" ({len(item.in_flight_orders)} orders in flight: judged once settled)"
            if item.hint:
                line += f"; {item.hint}"
            lines.append(line)
    if lines:
        out["items"] = lines
    if report.sync_errors:
        out["sync_errors"] = report.sync_errors
    return out


def register(subparsers: Any) -> None:
    cmd = leaf(
        subparsers,
        "reconcile-paper-positions",
        _reconcile,
        "rebuild paper_positions from paper_fills (dry run unless --confirm)",
    )
    cmd.add_argument(
        "--bot", type=id_arg("--bot"), default=None, metavar="ID", help="one paper bot only"
    )
    cmd.add_argument("--confirm", action="store_true", help="apply the changes")
    cmd.add_argument("--debug", action="store_true", help="print each change, before -> after")

    drift = leaf(
        subparsers,
        "drift",
        _drift,
        "compare the ledger's open quantities with the venue mirrors; record and halt on drift",
    )
    drift.add_argument(
        "--bot", type=id_arg("--bot"), default=None, metavar="ID", help="one bot's scope only"
    )
    drift.add_argument("--debug", action="store_true", help="print every account+symbol checked")
