"""The operator CLI as an operator runs it: the `egis` console script on a fresh database."""

import pytest

from tests.support.cli import egis_json, egis_run


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    from tests.support.cli import fresh_cli_env

    return fresh_cli_env(tmp_path_factory.mktemp("egis-cli"))


def egis(env, *args, ok=True):
    return egis_json(env, *args, ok=ok)


def test_the_journal_flow_from_the_cli(cli_env):
    user, _ = egis(
        cli_env, "user", "create", "dana", "--role", "user", "--password", "a-long-password-42"
    )
    assert user["role"] == "user"
    bot, _ = egis(
        cli_env,
        "bot",
        "create",
        "--owner",
        "dana",
        "--name",
        "Dana BNB",
        "--venue",
        "paper",
        "--symbol",
        "BNBUSDT",
        "--budget",
        "100",
    )
    assert isinstance(bot["id"], int) and bot["initial_budget_usd"] == "100.00"
    bot_id = str(bot["id"])
    egis(cli_env, "price", "set", "BNBUSDT", "580.00")

    opened, _ = egis(cli_env, "order", "open", bot_id, "--side", "long", "--size-usd", "10")
    order, position = opened["order"], opened["position"]
    assert order["intent"] == "open" and order["status"] == "filled"
    assert order["client_order_id"].startswith(f"egis-{bot_id}-")
    # asked $10; the 0.01 step allows 0.01 BNB = $5.80
    assert position["requested_size_usd"] == "10.00"
    assert position["size_usd"] == "5.80"
    assert position["qty"] == "0.01" and position["entry_price"] == "580"
    assert position["status"] == "open"

    budget, _ = egis(cli_env, "budget", bot_id)
    assert budget == {
        "bot_id": bot["id"],
        "initial_budget_usd": "100.00",
        "reserved_usd": "5.80",
        "available_usd": "94.20",
        "display": {
            "initial_budget_usd": "100.00",
            "reserved_usd": "5.80",
            "available_usd": "94.20",
        },
    }
    traced, _ = egis(cli_env, "budget", bot_id, "--debug")
    assert traced["trace"]["open_positions"][0]["size_usd"] == "5.80"
    assert any("available = 100.00 - 5.80 = 94.20" in s for s in traced["trace"]["steps"])

    closed, _ = egis(cli_env, "order", "close", bot_id, "--position", str(position["id"]))
    assert closed["order"]["intent"] == "close" and closed["position"]["status"] == "closed"
    listing, _ = egis(cli_env, "positions", bot_id, "--status", "closed")
    assert [p["id"] for p in listing["positions"]] == [position["id"]]
    assert egis(cli_env, "positions", bot_id, "--status", "open")[0]["positions"] == []


def test_refusals_are_one_line_and_non_zero(cli_env):
    egis(cli_env, "user", "create", "erin", "--role", "user", "--password", "another-pass-77")
    bot, _ = egis(
        cli_env,
        "bot",
        "create",
        "--owner",
        "erin",
        "--name",
        "E",
        "--venue",
        "paper",
        "--symbol",
        "BNBUSDT",
        "--budget",
        "50",
    )
    egis(cli_env, "price", "set", "BNBUSDT", "580.00")
    error, run = egis(
        cli_env, "order", "open", str(bot["id"]), "--side", "long", "--size-usd", "200", ok=False
    )
    assert error["error"]["message"] == "Not enough budget. Available: $50.00, Requested: $200.00"
    assert error["error"]["available_usd"] == "50.00"
    assert run.stderr.startswith("egis: Not enough budget.")
    error, _ = egis(
        cli_env, "order", "open", str(bot["id"]), "--side", "long", "--size-usd", "10.005", ok=False
    )
    assert "more than 2 decimal places" in error["error"]["message"]
    error, _ = egis(cli_env, "order", "close", str(bot["id"]), "--position", "999", ok=False)
    assert "does not belong" in error["error"]["message"]
    error, _ = egis(
        cli_env,
        "bot",
        "create",
        "--owner",
        "nobody",
        "--name",
        "x",
        "--venue",
        "paper",
        "--symbol",
        "BNBUSDT",
        "--budget",
        "1",
        ok=False,
    )
    assert "no user named" in error["error"]["message"]


def test_money_in_json_is_never_a_float(cli_env):
    payload, _ = egis(cli_env, "demo")
    bots, _ = egis(cli_env, "bot", "list")

    def walk(value):
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        if isinstance(value, list):
            for item in value:
                walk(item)

    walk(bots)
    assert payload["demo_bot_id"] in [b["id"] for b in bots["bots"]]
    again, _ = egis(cli_env, "demo")
    assert again["created"] == []  # the demo data is created once


def test_usage_names_the_command_as_it_was_typed(cli_env):
    """A newcomer run read "usage: egis egis hook ..." from the console script."""
    done = egis_run(cli_env, "hook", "create")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: egis hook create [-h] [--json] bot_id")
    assert "egis egis" not in done.stderr
