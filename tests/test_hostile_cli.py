"""The `egis` CLI with the hostile corpus of issue 10: every bad input is exit 1 with one line
on stderr (exit 70 is kept for real bugs), and nothing is written.

The whole corpus runs in-process (the command's own entry point, SystemExit and all); the
issue's three commands also run as an operator runs them, through the console script.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command

from egis.accounts.models import ApiToken, User
from egis.bots.models import Bot
from egis.ledger.models import Incident, Order, Position
from egis.venues.models import Price, SymbolFilter
from tests.support.cli import egis_json, egis_run


def _bot_create(budget: str = "100", *extra: str) -> list[str]:
    return [
        "bot", "create", "--owner", "bob", "--name", "Hostile", "--venue", "paper",
        "--symbol", "ETHUSDT", "--budget", budget, *extra,
    ]  # fmt: skip


CASES = [
    (_bot_create("100000000000"), "at most 1,000,000,000"),
    (_bot_create("1e11"), "exponent"),
    (_bot_create("1e30"), "exponent"),
    (_bot_create("\u0661\u0660"), "digits 0-9"),
    (_bot_create("1_0"), "decimal number"),
    (_bot_create("100", "--leverage", "\u00b2"), "leverage"),
    (_bot_create("100", "--leverage", "\u0661\u0660"), "leverage"),
    (_bot_create("100", "--account", "\u00b2"), "--account"),
    (_bot_create("100", "--account", "9" * 30), "--account"),
    (_bot_create("100", "--max-open", "\u00b2"), "max_open_positions"),
    (_bot_create("100", "--max-order-usd", "1e30"), "max_order_usd"),
    (["bot", "update", "{bot}", "--cooldown-s", "0"], "cooldown_s"),
    (["bot", "update", "{bot}", "--daily-loss-usd", "\u0661\u0660"], "daily_loss_limit_usd"),
    (["order", "open", "{bot}", "--side", "long", "--size-usd", "1e30"], "size_usd"),
    (["order", "open", "{bot}", "--side", "long", "--size-usd", "9" * 29], "size_usd"),
    (["order", "open", "\u00b2", "--side", "long", "--size-usd", "10"], "bot id"),
    (["order", "close", "{bot}", "--position", "\u0661"], "--position"),
    (["order", "close", "{bot}", "--position", str(2**63)], "--position"),
    (["price", "set", "ETHUSDT", "1e30"], "price"),
    (["price", "set", "ETHUSDT", "-5"], "price"),
    (["filters", "set", "ETHUSDT", "--step-size", "1e-3"], "step_size"),
    (["budget", "9" * 30], "bot id"),
    (["token", "revoke", "\u00b2"], "token id"),
    (["incidents", "show", "1_0"], "id"),
    (
        ["incidents", "resolve", "1", "--action", "acknowledge", "--reason", "x" * 2001],
        "reason",
    ),
    (
        ["incidents", "resolve", "1", "--action", "acknowledge", "--reason", "a\x1bb"],
        "reason",
    ),
    (["recover", "--timeout", "\u00b2"], "--timeout"),
    (["exits", "set", "{bot}", "--position", "\u0661", "--tp", "1%"], "--position"),
    (["exits", "\u00b2"], "bot id"),
    (["exits", "9" * 30], "bot id"),
    (
        ["order", "open", "{bot}", "--side", "long", "--size-usd", "10", "--tp", "1e30"],
        "Take-profit price",
    ),
    (
        ["order", "open", "{bot}", "--side", "long", "--size-usd", "10", "--sl", "\u00b2%"],
        "Stop-loss %",
    ),
    (
        ["order", "open", "{bot}", "--side", "long", "--size-usd", "10", "--trail-pct", "-1"],
        "Trailing stop %",
    ),
]


def _snapshot() -> tuple:
    return (
        list(User.objects.order_by("id").values("id", "username", "role", "is_active")),
        list(Bot.objects.order_by("id").values()),
        list(Position.objects.order_by("id").values()),
        list(Order.objects.order_by("id").values()),
        list(Incident.objects.order_by("id").values()),
        list(ApiToken.objects.order_by("id").values("id", "name", "revoked_at")),
        list(SymbolFilter.objects.order_by("id").values()),
        list(Price.objects.order_by("id").values()),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "words"), CASES, ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else ""
)
def test_bad_input_exits_1_with_one_line_and_writes_nothing(paper_bot, capsys, args, words):
    args = [a.replace("{bot}", str(paper_bot.pk)) for a in args]
    before = _snapshot()
    with pytest.raises(SystemExit) as exited:
        call_command("egis", *args)
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("egis: "), lines
    assert words in lines[0]
    assert _snapshot() == before


# --- the issue's commands, through the console script ----------------------------------------


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    from tests.support.cli import fresh_cli_env

    env = fresh_cli_env(tmp_path_factory.mktemp("egis-hostile-cli"))
    egis_json(env, "user", "create", "dana", "--role", "user", "--password", "a-long-password-42")
    bot, _ = egis_json(
        env, "bot", "create", "--owner", "dana", "--name", "Dana BNB", "--venue", "paper",
        "--symbol", "BNBUSDT", "--budget", "100",
    )  # fmt: skip
    env["EGIS_TEST_BOT_ID"] = str(bot["id"])
    return env


TABLES = ["users", "bots", "positions", "orders", "incidents", "prices"]


def _rows(env: dict[str, str]) -> dict[str, list]:
    """Every row of the tables a command could write, read straight from the SQLite file."""
    with sqlite3.connect(Path(env["EGIS_DATA_DIR"]) / "egis.sqlite3") as db:
        # Table names are the constants above, never input.
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}  # noqa: S608


@pytest.mark.parametrize(
    "args",
    [
        ["bot", "create", "--owner", "dana", "--name", "X", "--venue", "paper",
         "--symbol", "BNBUSDT", "--budget", "100000000000"],
        ["order", "open", "{bot}", "--side", "long", "--size-usd", "1e30"],
        ["price", "set", "BNBUSDT", "1e30"],
    ],
    ids=lambda v: " ".join(v)[:40],
)  # fmt: skip
def test_the_console_script_exits_1_on_the_issues_commands(cli_env, args):
    args = [a.replace("{bot}", cli_env["EGIS_TEST_BOT_ID"]) for a in args]
    before = _rows(cli_env)
    done = egis_run(cli_env, *args)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "internal error" not in done.stderr
    assert _rows(cli_env) == before
