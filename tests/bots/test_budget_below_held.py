"""Lowering a budget below what open positions hold is refused, on every edge, under the lock.

Before: the new budget was saved and the bot page showed Available -$8.08 next to a green
"Active" badge (the journal's negative-budget symptom).
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection

from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.bots.services import bot_update
from egis.ledger import budget
from egis.ledger.budget import BudgetBelowHeld
from egis.ledger.errors import NotEnoughBudget
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia, login, post_json

MESSAGE = "Budget $10.00 is below the $18.08 held by open positions"


def _hold(bot: Bot, size: str) -> None:
    Position.objects.create(
        bot=bot,
        symbol=bot.symbol,
        side="long",
        status="open",
        requested_size_usd=Decimal("20"),
        size_usd=Decimal(size),
    )


def _update(bot: Bot, budget_usd: str, actor) -> Bot:
    return bot_update(
        bot=bot,
        name=bot.name,
        budget_usd=budget_usd,
        leverage=bot.leverage,
        is_active=bot.is_active,
        actor=actor,
    )


@pytest.mark.django_db
def test_the_service_refuses_and_changes_nothing(paper_bot, bob):
    _hold(paper_bot, "18.0752")
    with pytest.raises(BudgetBelowHeld) as refused:
        _update(paper_bot, "10", bob)
    assert str(refused.value) == MESSAGE
    paper_bot.refresh_from_db()
    assert paper_bot.initial_budget_usd == Decimal("100")
    assert not AuditEntry.objects.exclude(field="created").exists()
    # One cent under the exact hold is refused too; the exact hold or more is fine.
    with pytest.raises(BudgetBelowHeld):
        _update(paper_bot, "18.07", bob)
    assert _update(paper_bot, "18.08", bob).initial_budget_usd == Decimal("18.08")
    paper_bot.refresh_from_db()
    shown = budget.get_budget(paper_bot).display
    assert (shown.reserved_usd, shown.available_usd) == (Decimal("18.08"), Decimal("0.00"))


@pytest.mark.django_db
def test_other_edits_still_save_while_positions_are_open(paper_bot, bob):
    _hold(paper_bot, "18.0752")
    updated = bot_update(
        bot=paper_bot, name="Renamed", budget_usd="100.00", leverage=2, is_active=False, actor=bob
    )
    assert (updated.name, updated.leverage, updated.is_active) == ("Renamed", 2, False)


@pytest.mark.django_db
def test_the_page_shows_the_message_next_to_the_budget_field(client, bob, paper_bot):
    _hold(paper_bot, "18.0752")
    login(client, bob)
    response = post_json(
        client,
        f"/bots/{paper_bot.pk}/edit",
        {"name": "Bob ETH", "budget_usd": "10.00", "leverage": "1", "is_active": True},
    )
    assert response.status_code == 303
    errors = inertia(client, f"/bots/{paper_bot.pk}/edit")["props"]["errors"]
    assert errors == {"budget_usd": MESSAGE + "."}
    paper_bot.refresh_from_db()
    assert paper_bot.initial_budget_usd == Decimal("100")


@pytest.mark.django_db
def test_the_api_answers_409_with_the_message(client, bob, paper_bot):
    _hold(paper_bot, "18.0752")
    from egis.accounts.tokens import token_create

    token = token_create(user=bob, name="t")[1]
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.patch(
        f"/api/v1/bots/{paper_bot.pk}",
        data=json.dumps({"initial_budget_usd": "10.00"}),
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 409
    body = refused.json()
    assert (body["code"], body["detail"]) == ("budget_below_held", MESSAGE)
    assert body["held_usd"] == "18.0752"
    ok = client.patch(
        f"/api/v1/bots/{paper_bot.pk}",
        data=json.dumps({"initial_budget_usd": "50.00"}),
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200
    assert ok.json()["budget"]["display"] == {
        "initial_budget_usd": "50.00",
        "reserved_usd": "18.08",
        "available_usd": "31.92",
    }
    entry = AuditEntry.objects.exclude(field="created").get()
    assert (entry.actor_label, entry.field, entry.before, entry.after) == (
        "bob",
        "initial_budget_usd",
        "100.00",
        "50.00",
    )


@pytest.mark.django_db
def test_the_cli_exits_1_with_the_message(paper_bot):
    _hold(paper_bot, "18.0752")
    code, _out, err = run_cli("bot", "update", str(paper_bot.pk), "--budget", "10")
    assert code == 1
    assert err.strip() == f"egis: {MESSAGE}"
    code, out, _err = run_cli("bot", "update", str(paper_bot.pk), "--budget", "20", "--json")
    assert code == 0
    assert json.loads(out)["display"]["available_usd"] == "1.92"
    assert AuditEntry.objects.exclude(field="created").get().actor_label.startswith("cli:")


@pytest.mark.django_db(transaction=True)
def test_a_racing_open_cannot_slip_under_a_lowered_budget(paper_bot, set_price):
    """Opens of $30 race with lowering the budget to $40: whatever the order, the budget never
    ends below what is held (the check and the write happen under the bot's lock)."""
    set_price("ETHUSDT", "1000")  # $30 -> exactly 0.030 ETH
    for _ in range(5):
        Position.objects.filter(bot=paper_bot).update(status="closed")
        Bot.objects.filter(pk=paper_bot.pk).update(initial_budget_usd=Decimal("100"))
        _race(Bot.objects.get(pk=paper_bot.pk))


def _race(bot: Bot) -> None:
    start = threading.Barrier(3)
    errors: list[str] = []

    def opener() -> None:
        try:
            start.wait()
            order_open(bot_id=bot.pk, side="long", size_usd="30")
        except NotEnoughBudget:
            pass
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    def lowerer() -> None:
        try:
            start.wait()
            _update(bot, "40", None)
        except BudgetBelowHeld:
            pass
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (opener, opener, lowerer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert budget.get_budget(Bot.objects.get(pk=bot.pk)).available_usd >= 0
