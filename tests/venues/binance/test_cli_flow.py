"""The whole Binance flow from the `egis` console script, against the fake on 127.0.0.1:
account -> bot -> open -> close -> mirror sync, plus a refused and an unknown order. The API
secret appears in no output."""

import json

import pytest

from tests.support.cli import egis_run, fresh_cli_env
from tests.support.fake_binance import UNKNOWN_503_AFTER_BOOKING

pytestmark = pytest.mark.slow


@pytest.fixture
def cli_env(tmp_path):
    return fresh_cli_env(tmp_path, EGIS_LOG_LEVEL="DEBUG")


class Cli:
    """Runs `egis ... --json` and keeps every output, to prove the secret is in none of them."""

    def __init__(self, env, secret):
        self.env = env
        self.secret = secret
        self.outputs: list[str] = []

    def __call__(self, *args, ok=True, stdin=None):
        run = egis_run(self.env, *args, "--json", stdin=stdin)
        self.outputs += [run.stdout, run.stderr]
        lines = run.stdout.strip().splitlines()
        assert len(lines) == 1, run.stdout
        assert (run.returncode == 0) == ok, (run.returncode, run.stderr)
        return json.loads(lines[0]), run


def test_account_bot_open_close_sync_from_the_cli(cli_env, fake_binance):
    egis = Cli(cli_env, fake_binance.api_secret)
    egis("user", "create", "dana", "--role", "user", "--password", "a-long-password-42")

    account, _ = egis(
        "account", "create", "--owner", "dana", "--venue", "binance_futures", "--env", "demo",
        "--api-key", fake_binance.api_key, "--api-secret", "-", "--base-url",
        fake_binance.base_url, stdin=fake_binance.api_secret + "\n",
    )  # fmt: skip
    assert isinstance(account["id"], int)
    assert account["api_secret"] == f"••••••{fake_binance.api_secret[-4:]}"
    listed, _ = egis("account", "list")
    assert [a["id"] for a in listed["accounts"]] == [account["id"]]

    bot, _ = egis(
        "bot", "create", "--owner", "dana", "--name", "Dana BNB", "--venue", "binance_futures",
        "--account", str(account["id"]), "--symbol", "BNBUSDT", "--budget", "100",
        "--leverage", "3",
    )  # fmt: skip
    bot_id = str(bot["id"])

    opened, _ = egis("order", "open", bot_id, "--side", "long", "--size-usd", "10")
    assert opened["order"]["status"] == "filled"
    assert opened["position"]["size_usd"] == "5.80"
    assert opened["position"]["requested_size_usd"] == "10.00"

    synced, _ = egis("sync-exchange-positions", "--account", str(account["id"]))
    assert synced["accounts"][0]["positions"][0]["position_amt"] == "0.01"

    closed, _ = egis("order", "close", bot_id, "--position", str(opened["position"]["id"]))
    assert closed["position"]["status"] == "closed"
    assert fake_binance.order_posts[-1].params["reduceOnly"] == "true"

    # an order whose outcome is unknown: exit 3, named; then one lookup settles it
    fake_binance.fail_next_order(UNKNOWN_503_AFTER_BOOKING)
    failed, run = egis("order", "open", bot_id, "--side", "long", "--size-usd", "10", ok=False)
    assert run.returncode == 3
    client_order_id = failed["error"]["client_order_id"]
    assert failed["error"]["order_status"] == "unknown"
    looked, _ = egis("order-lookup", client_order_id)
    assert looked["action"] == "settled" and looked["order_status"] == "filled"
    assert len(fake_binance.order_posts) == 3

    # a refusal by Binance: exit 3 with a clear one-line message
    fake_binance.balance = 0
    refused, run = egis("order", "open", bot_id, "--side", "long", "--size-usd", "10", ok=False)
    assert "-2019" in refused["error"]["message"]

    for output in egis.outputs:
        assert fake_binance.api_secret not in output


def test_cli_refuses_bad_account_input_in_one_line(cli_env):
    egis = Cli(cli_env, "")
    egis("user", "create", "erin", "--role", "user", "--password", "a-long-password-42")
    error, run = egis(
        "account", "create", "--owner", "erin", "--venue", "binance_futures", "--env",
        "production", "--api-key", "key0123456789", "--api-secret", "topsecret-value-1",
        ok=False,
    )  # fmt: skip
    assert "--production" in error["error"]["message"]
    assert "topsecret-value-1" not in run.stdout + run.stderr
