"""The drift commands as an operator runs them: `egis ...` on a fresh database, --json and not."""

from __future__ import annotations

import sqlite3

import pytest

from tests.support.cli import egis_json, egis_run, fresh_cli_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return fresh_cli_env(tmp_path_factory.mktemp("egis-drift-cli"), EGIS_LOG_LEVEL="CRITICAL")


def run(env, *args: str):
    return egis_run(env, *args)


def run_json(env, *args: str, ok: bool = True) -> dict:
    return egis_json(env, *args, ok=ok)[0]


def test_drift_found_repaired_and_resolved_from_the_cli(env):
    db = env["DATABASE_URL"].removeprefix("sqlite:///")
    demo = run_json(env, "demo")
    bot = str(demo["demo_bot_id"])
    run_json(env, "price", "set", "BNBUSDT", "600")
    run_json(env, "order", "open", bot, "--side", "long", "--size-usd", "20")

    # A consistent fresh database: nothing to do anywhere.
    assert run_json(env, "reconcile-paper-positions")["counts"]["total"] == 0
    assert run_json(env, "drift")["drift_found"] is False
    recovered = run_json(env, "recover")
    assert recovered["counts"]["settled"] == 0 and recovered["journal"]["lines"] == 0
    assert run_json(env, "incidents", "list") == {"incidents": []}

    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM paper_positions")

    # Dry run by default: the summary line always, each diff with --debug, nothing changed.
    human = run(env, "reconcile-paper-positions", "--debug")
    assert human.returncode == 0
    assert "dry run, nothing changed: would create 1, close 0, update 0" in human.stdout
    assert "create bot #1 BNBUSDT: (no row) -> long 0.03 @ 600" in human.stdout

    drift = run_json(env, "drift")
    assert drift["drift_found"] is True
    (item,) = [i for i in drift["items"] if i["status"] == "drift"]
    assert (item["ledger_qty"], item["venue_qty"]) == ("0.03", "0")
    incident_id = item["incident_id"]
    refused = run_json(env, "order", "open", bot, "--side", "long", "--size-usd", "10", ok=False)
    assert "halted" in refused["error"]["message"]

    listed = run_json(env, "incidents", "list")["incidents"]
    assert [r["id"] for r in listed] == [incident_id]
    shown = run_json(env, "incidents", "show", str(incident_id))
    assert shown["actions"] == ["close-position", "acknowledge"]
    assert shown["payload"]["hint"].startswith("the paper book is stale")

    early = run_json(
        env,
        "incidents",
        "resolve",
        str(incident_id),
        "--action",
        "acknowledge",
        "--reason",
        "too early",
        ok=False,
    )
    assert "still there" in early["error"]["message"]

    applied = run_json(env, "reconcile-paper-positions", "--confirm")
    assert applied["counts"] == {"create": 1, "close": 0, "update": 0, "total": 1}
    assert run_json(env, "reconcile-paper-positions", "--confirm")["counts"]["total"] == 0

    resolved = run_json(
        env,
        "incidents",
        "resolve",
        str(incident_id),
        "--action",
        "acknowledge",
        "--reason",
        "paper book rebuilt",
    )
    assert resolved["incident"]["status"] == "resolved"
    assert resolved["halts_lifted"] == [int(bot)]
    run_json(env, "order", "open", bot, "--side", "long", "--size-usd", "10")
    assert run_json(env, "incidents", "list")["incidents"] == []
    assert len(run_json(env, "incidents", "list", "--all")["incidents"]) == 1


def test_errors_are_one_line_with_an_exit_code(env):
    missing = run(env, "incidents", "show", "999")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "egis: incident #999 does not exist"
    no_bot = run_json(env, "reconcile-paper-positions", "--bot", "999", ok=False)
    assert no_bot["error"]["message"] == "bot #999 does not exist"
    usage = run(env, "incidents", "resolve", "1", "--action", "delete", "--reason", "x")
    assert usage.returncode == 2
