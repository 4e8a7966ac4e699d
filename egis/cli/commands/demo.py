from __future__ import annotations

import argparse
from typing import Any

from egis.bots.demo import demo_seed
from egis.cli.commands.base import leaf


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    return demo_seed()


def register(subparsers: Any) -> None:
    leaf(subparsers, "demo", _demo, "create the demo admin, user, paper bot and signals bot (once)")
