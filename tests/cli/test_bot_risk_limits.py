"""`egis bot create|update` with risk limits, and an open refused by one: exit 1, one line."""

from __future__ import annotations

import json

import pytest

from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.ledger.models import Order
from tests.support.cli_inprocess import run_cli

pytestmark = pytest.mark.django_db(transaction=True)

CREATE = [
    "bot", "create", "--owner", "bob", "--name", "Risky", "--venue", "paper",
    "--symbol", "ETHUSDT", "--budget", "100",
]  # fmt: skip
LIMITS = ["max_open_positions", "max_order_usd", "cooldown_s", "daily_loss_limit_usd"]


def _json(*args: str) -> dict:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_create_with_every_limit_and_without_any(bob, paper_filters):
    bot = _json(
        *CREATE, "--max-open", "3", "--max-order-usd", "50", "--cooldown-s", "60",
        "--daily-loss-usd", "20.5",
    )  # fmt: skip
    assert [bot[k] for k in LIMITS] == [3, "50.00", 60, "20.50"]
    plain = _json(*CREATE)
    assert [plain[k] for k in LIMITS] == [None, None, None, None]


def test_update_sets_keeps_and_turns_off_limits_with_an_audit_row_each(paper_bot):
    pk = str(paper_bot.pk)
    bot = _json("bot", "update", pk, "--max-order-usd", "50", "--cooldown-s", "60")
    assert [bot[k] for k in LIMITS] == [None, "50.00", 60, None]
    bot = _json("bot", "update", pk, "--cooldown-s", "off", "--max-open", "2")
    assert [bot[k] for k in LIMITS] == [2, "50.00", None, None]
    assert bot["initial_budget_usd"] == "100.00"  # a limit-only update keeps the budget
    changes = AuditEntry.objects.exclude(field="created").order_by("id")
    rows = list(changes.values_list("field", "before", "after"))
    assert rows == [
        ("max_order_usd", "off", "50.00"),
        ("cooldown_s", "off", "60"),
        ("max_open_positions", "off", "2"),
        ("cooldown_s", "60", "off"),
    ]
    assert set(AuditEntry.objects.values_list("actor_label", flat=True)) != {""}


@pytest.mark.parametrize(
    ("flag", "value", "field"),
    [
        ("--max-open", "0", "max_open_positions"),
        ("--max-open", "\u00b2", "max_open_positions"),
        ("--max-open", "1.5", "max_open_positions"),
        ("--max-order-usd", "1e3", "max_order_usd"),
        ("--max-order-usd", "-5", "max_order_usd"),
        ("--max-order-usd", "9" * 30, "max_order_usd"),
        ("--cooldown-s", "604801", "cooldown_s"),
        ("--cooldown-s", "", "cooldown_s"),
        ("--daily-loss-usd", "1_0", "daily_loss_limit_usd"),
        ("--daily-loss-usd", "0", "daily_loss_limit_usd"),
    ],
)
def test_bad_limits_exit_1_with_one_line_and_write_nothing(paper_bot, flag, value, field):
    before = list(Bot.objects.order_by("id").values())
    for args in (
        [*CREATE, flag, value],
        ["bot", "update", str(paper_bot.pk), flag, value],
    ):
        code, _, err = run_cli(*args)
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 1 and lines[0].startswith("egis: "), (code, err)
        assert field in lines[0], lines[0]
    assert list(Bot.objects.order_by("id").values()) == before


def test_an_open_refused_by_a_limit_exits_1_naming_it(paper_bot):
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd="50")
    code, _, err = run_cli("order", "open", str(paper_bot.pk), "--side", "long", "--size-usd", "80")
    assert code == 1
    assert err.strip() == ("egis: Max USD per order is $50.00: $80.00 requested (over by $30.00).")
    assert Order.objects.count() == 0


def test_create_names_every_field_s_problem_on_its_one_line(bob, paper_filters):
    code, _, err = run_cli(
        "bot", "create", "--owner", "bob", "--name", "X", "--venue", "paper",
        "--symbol", "NOPEUSDT", "--budget", "-5", "--cooldown-s", "0",
    )  # fmt: skip
    [line] = err.strip().splitlines()
    assert code == 1 and line.startswith("egis: "), err
    assert "budget" in line and "cooldown_s" in line and "NOPEUSDT" in line, line
    assert not Bot.objects.exists()
