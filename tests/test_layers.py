"""The architecture, pinned: which package may import which, read from the source with `ast`.

The consistency boundary (`egis.ledger`) must not reach up into the layers that use it, and the
precompiled row statements (`egis.core.rows`) stay on the hot paths that were measured to need
them: anywhere else the ORM is clearer and fast enough.
"""

from __future__ import annotations

import ast
from pathlib import Path

EGIS = Path(__file__).resolve().parent.parent / "egis"


def _module_name(path: Path) -> str:
    parts = path.relative_to(EGIS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in EGIS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[_module_name(path)] = {n for n in names if n == "egis" or n.startswith("egis.")}
    return found


def _importers_of(target: str) -> set[str]:
    return {
        module
        for module, names in _imports().items()
        if any(n == target or n.startswith(target + ".") for n in names)
    }


ROWS_USERS = {
    "egis.accounts.tokens",  # bearer auth on every API request
    "egis.bots.locks",  # the bot lock every writing transaction starts with
    "egis.bots.selectors",  # bot access check on every API request
    "egis.exits.hooks",  # the exits read of every close's settle (issue 12)
    "egis.core.row_saves",  # row_insert / row_update: what save() runs, precompiled
    "egis.core.row_writes",  # a transaction's closing writes as one statement (PostgreSQL)
    "egis.core.row_updates",  # compare-and-set UPDATEs (QuerySet.update, precompiled)
    "egis.ledger.budget",
    "egis.ledger.events",
    "egis.ledger.open_checks",  # the open preflight's netting read (split out of the pipeline)
    "egis.ledger.pipeline",
    "egis.ledger.settle",
    "egis.ledger.settle_read",  # settle's one read of the order, its position and facts (issue 11)
    "egis.notifications.services",  # notify() runs in every fill's settle transaction
    "egis.portfolio.totals",  # the kept totals' version, read twice per bot page (benchmark 8)
    "egis.signals.hooks",  # webhook authentication on every signal (benchmark 6)
    "egis.signals.processing",  # the worker's per-signal reads (benchmark 6)
    "egis.signals.paper_turn",  # the bot's venue, read once per drain (benchmark 6)
    "egis.signals.signal_orders",  # the read of a signal's orders (benchmark 6)
    "egis.signals.claims",  # the worker's claim and finish (benchmark 6)
    "egis.signals.services",  # the signal's write-ahead row (benchmark 6)
    "egis.venues.paper.venue",
    "egis.venues.prices.sources",
}


def test_only_the_measured_hot_paths_use_precompiled_row_statements():
    assert _importers_of("egis.core.rows") - {"egis.core.rows"} <= ROWS_USERS
    assert _importers_of("egis.core.row_saves") <= ROWS_USERS
    assert _importers_of("egis.core.row_writes") <= ROWS_USERS
    assert _importers_of("egis.core.row_updates") <= ROWS_USERS
    # The machinery under them (cursor, binding, instances) is theirs alone.
    machinery = {
        "egis.core.rows",
        "egis.core.row_saves",
        "egis.core.row_writes",
        "egis.core.row_updates",
    }
    for inner in ("egis.core.row_cursor", "egis.core.row_binds", "egis.core.row_build"):
        assert _importers_of(inner) <= machinery, inner


def test_the_ledger_never_imports_the_layers_above_it():
    upward = ("egis.execution", "egis.reconcile", "egis.web", "egis.api", "egis.cli")
    offenders = {
        (module, name)
        for module, names in _imports().items()
        if module.startswith("egis.ledger")
        for name in names
        if name.startswith(upward)
    }
    assert offenders == set()


def test_reconcile_does_not_import_execution():
    # execution (recovery, resolve actions) builds on reconcile (drift): never the reverse.
    offenders = {
        (module, name)
        for module, names in _imports().items()
        if module.startswith("egis.reconcile")
        for name in names
        if name.startswith("egis.execution")
    }
    assert offenders == set()


def test_no_module_is_looked_up_by_name_and_no_import_of_ours_is_optional():
    for path in EGIS.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    caught = ast.unparse(handler.type) if handler.type else ""
                    assert "ImportError" not in caught, f"{path}: optional import of our code"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names]
                assert "importlib" not in names and getattr(node, "module", None) != "importlib", (
                    f"{path}: a module found by importlib"
                )


def test_the_ledger_reads_no_page_selectors_or_bot_services():
    # Realized PnL is defined in the ledger (egis.ledger.pnl) so that the risk limits read it
    # without reaching up; the bots app's selectors and services build on the ledger.
    offenders = {
        (module, name)
        for module, names in _imports().items()
        if module.startswith("egis.ledger")
        for name in names
        if name.startswith(("egis.bots.selectors", "egis.bots.services", "egis.bots.presenters"))
    }
    assert offenders == set()


def test_the_edges_read_through_selectors_never_the_orm_managers():
    """Pages, API and CLI parse, call one service or selector, and present: a `.objects` query
    in an edge is a read that belongs in a selector (or a write that belongs in a service)."""
    offenders = []
    for package in ("web", "api", "cli"):
        for path in (EGIS / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Attribute) and node.attr == "objects":
                    offenders.append(f"{path.relative_to(EGIS.parent)}:{node.lineno}")
    assert offenders == []


def test_notifications_is_a_leaf_the_ledger_can_call():
    # The ledger tells through egis.notifications.services.notify: notifications must never
    # import the ledger or anything above it, or a fill would import its own edges.
    above = ("egis.ledger", "egis.execution", "egis.reconcile", "egis.signals", "egis.web")
    above += ("egis.api", "egis.cli")
    offenders = {
        (module, name)
        for module, names in _imports().items()
        if module.startswith("egis.notifications")
        for name in names
        if name.startswith(above)
    }
    assert offenders == set()
