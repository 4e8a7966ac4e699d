"""Pause: no new opens from any source (the pipeline, the page, the API, a signal); closes
still work; audited; the reason is shown and the Open button disabled saying why."""

from __future__ import annotations

import json

import pytest

from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.ledger.errors import BotPaused
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.pause import bot_set_paused
from egis.signals.models import Signal, SignalStatus
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_pausing_from_the_page_blocks_opens_from_every_source_but_not_closes(
    paper_bot, bob, page_as, api_as, sender
):
    kept = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    page = page_as(bob)
    answer = _post(page, f"/bots/{paper_bot.pk}/pause", {"paused": True})
    assert answer.status_code == 303 and answer["Location"] == f"/bots/{paper_bot.pk}"
    orders_before = Order.objects.count()

    # The pipeline itself (every edge goes through it): refused, nothing written.
    with pytest.raises(BotPaused, match=r"Paused by bob at .*\sUTC"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    # The page's Open form.
    _post(page, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "20"})
    errors = inertia(page, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert errors["order"].startswith("Paused by bob at ")
    # The API.
    api = api_as(bob)
    refused = api.post(
        f"/bots/{paper_bot.pk}/orders", {"intent": "open", "side": "long", "size_usd": "20"}
    )
    assert refused.status_code in (409, 422) and refused.json()["code"] == "bot_paused"
    # A signal.
    assert sender.post({"action": "open", "side": "long", "size_usd": "20"}).status_code == 202
    signal = Signal.objects.order_by("-id").first()
    assert signal.status != SignalStatus.EXECUTED and "Paused by bob" in signal.reason
    assert Order.objects.count() == orders_before

    # Closes still work while paused.
    closed = order_close(bot_id=paper_bot.pk, position_id=kept.position.pk)
    assert closed.position.status == "closed"

    # Resume: opens work again.
    assert _post(page, f"/bots/{paper_bot.pk}/pause", {"paused": False}).status_code == 303
    assert order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position.qty > 0


def test_the_page_says_why_open_is_disabled_and_the_card_shows_the_pause(paper_bot, bob, page_as):
    bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=bob)
    page = page_as(bob)
    bot = inertia(page, f"/bots/{paper_bot.pk}")["props"]["bot"]
    assert bot["paused"] is True and bot["paused_by"] == "bob"
    assert bot["open_disabled_reason"].startswith("Paused by bob at ")
    assert bot["status_label"] == "Paused"
    [card] = inertia(page, "/")["props"]["bots"]
    assert card["paused"] is True and card["paused_reason"].startswith("Paused by bob")


def test_pause_and_resume_are_audited_once_each(paper_bot, bob):
    bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=bob)
    _, changed = bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=bob)
    assert changed is False
    bot_set_paused(bot_id=paper_bot.pk, paused=False, actor=bob)
    rows = list(AuditEntry.objects.filter(field="paused").order_by("id"))
    assert [(r.before, r.after, r.actor_label) for r in rows] == [
        ("running", "paused", "bob"),
        ("paused", "running", "bob"),
    ]


def test_a_hostile_pause_value_is_refused_and_changes_nothing(paper_bot, bob, page_as):
    page = page_as(bob)
    for value in ["yes", 1, None, "TRUE", [], {}]:
        _post(page, f"/bots/{paper_bot.pk}/pause", {"paused": value})
        assert not Bot.objects.get(pk=paper_bot.pk).is_paused
    errors = inertia(page, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert errors == {"pause": "paused must be true or false"}


def test_another_users_bot_cannot_be_paused(paper_bot, charlie, page_as, api_as):
    assert (
        _post(page_as(charlie), f"/bots/{paper_bot.pk}/pause", {"paused": True}).status_code == 404
    )
    assert api_as(charlie).post(f"/bots/{paper_bot.pk}/pause").status_code == 404
    assert not Bot.objects.get(pk=paper_bot.pk).is_paused


def test_the_api_and_the_cli_pause_and_resume(paper_bot, bob, api_as):
    api = api_as(bob)
    body = api.post(f"/bots/{paper_bot.pk}/pause").json()
    assert body["paused"] is True and body["changed"] is True and body["paused_by"] == "bob"
    assert api.get(f"/bots/{paper_bot.pk}").json()["paused_by"] == "bob"
    assert api.post(f"/bots/{paper_bot.pk}/resume").json()["paused"] is False
    assert api.get(f"/bots/{paper_bot.pk}").json()["paused"] is False
    code, out, err = run_cli("bot", "pause", str(paper_bot.pk), "--json")
    assert code == 0, err
    assert json.loads(out)["paused"] is True
    # The operator at the server reads "an admin" to the owner; the audit keeps "cli:<user>".
    assert json.loads(out)["paused_by"] == "an admin"
    assert AuditEntry.objects.filter(field="paused", actor_label__startswith="cli:").exists()
    code, out, _ = run_cli("bot", "resume", str(paper_bot.pk), "--actor", "bob", "--json")
    assert code == 0 and json.loads(out)["paused"] is False
    assert Position.objects.count() == 0


def test_a_pause_by_an_admin_reads_an_admin_to_the_owner(paper_bot, alice, bob, page_as):
    bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=alice)
    bot = inertia(page_as(bob), f"/bots/{paper_bot.pk}")["props"]["bot"]
    assert bot["paused_by"] == "an admin"
    assert bot["open_disabled_reason"].startswith("Paused by an admin at ")
    with pytest.raises(BotPaused, match=r"^Paused by an admin at "):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    # The admin's name stays in the audit (and the bot's settings history, to admins).
    assert AuditEntry.objects.filter(field="paused", actor=alice).exists()
