"""`egis order open --tp --sl --trail-pct`, `egis exits set|clear|check` and `egis exits BOT_ID`."""

from __future__ import annotations

import json

import pytest

from egis.exits.models import Exit
from egis.ledger.models import Position
from tests.support.cli_inprocess import run_cli

pytestmark = pytest.mark.django_db(transaction=True)


def _json(*args: str) -> dict:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_open_with_exits_then_edit_list_check_and_clear(paper_bot, set_price):
    bot = str(paper_bot.pk)
    opened = _json(
        "order", "open", bot, "--side", "long", "--size-usd", "20", "--tp", "1%", "--sl", "2900"
    )
    position = str(opened["position"]["id"])
    listed = _json("exits", bot)
    [row] = listed["positions"]
    assert sorted((e["kind"], e["trigger_price"]) for e in row["exits"]) == [
        ("stop_loss", "2900"),
        ("take_profit", "2963.91"),
    ]
    changed = _json("exits", "set", bot, "--position", position, "--trail-pct", "1.5")
    assert sorted(e["kind"] for e in changed["exits"]) == [
        "stop_loss",
        "take_profit",
        "trailing_stop",
    ]
    cleared = _json("exits", "clear", bot, "--position", position, "--kind", "tp")
    assert sorted(e["kind"] for e in cleared["exits"]) == ["stop_loss", "trailing_stop"]
    set_price("ETHUSDT", "2800")
    report = _json("exits", "check")
    # Both stops are below 2800; the price reached the higher one (2900) first.
    assert [(f["kind"], f["outcome"]) for f in report["fired"]] == [("stop_loss", "closed")]
    assert Position.objects.get(pk=position).close_reason == "stop_loss"
    assert Exit.objects.get(kind="trailing_stop", status="cancelled")
    assert _json("exits", bot)["positions"] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["exits", "set", "{bot}", "--position", "{pos}", "--sl", "3000"], "below the current"),
        (["exits", "set", "{bot}", "--position", "{pos}", "--tp", "1e3"], "Take-profit price: "),
        (["exits", "set", "{bot}", "--position", "{pos}", "--tp", "\u0661%"], "digits 0-9"),
        (
            ["exits", "set", "{bot}", "--position", "{pos}", "--trail-pct", "50"],
            "Trailing stop %: must be at most 10",
        ),
        (["exits", "set", "{bot}", "--position", "{pos}"], "at least one"),
        (["exits", "set", "{bot}", "--tp", "1%"], "--position"),
        (["exits", "set", "{bot}", "--position", "\u00b2", "--tp", "1%"], "--position"),
        (["exits", "\u00b2"], "bot id"),
        (["exits", "set"], "use: egis exits"),
        (["exits", "check", "now"], "use: egis exits"),
        (["order", "open", "{bot}", "--side", "long", "--size-usd", "20", "--sl", "9999"], "below"),
    ],
    ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else "",
)
def test_refusals_exit_1_with_one_line_and_write_nothing(paper_bot, args, words):
    position = run_cli("order", "open", str(paper_bot.pk), "--side", "long", "--size-usd", "20")
    assert position[0] == 0
    pid = str(Position.objects.get().pk)
    args = [a.replace("{bot}", str(paper_bot.pk)).replace("{pos}", pid) for a in args]
    code, _, err = run_cli(*args)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("egis: "), lines
    assert words in lines[0]
    assert not Exit.objects.exists()
    assert Position.objects.count() == 1
