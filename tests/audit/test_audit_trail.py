"""Every change of a budget, a role or an activation leaves an audit row that admins can read,
written in the transaction of the change."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from egis.accounts.services import (
    user_activate,
    user_deactivate,
    user_password_reset,
    user_set_role,
    user_unlock,
)
from egis.audit.models import AuditEntry
from egis.audit.selectors import audit_entries
from egis.audit.services import AuditOutsideTransaction, audit_record
from egis.bots.services import BotInputError, bot_update
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db


def _rows() -> list[tuple[str, str, int, str, str, str]]:
    return [
        (e.actor_label, e.object_type, e.object_id, e.field, e.before, e.after)
        for e in audit_entries()
        if e.field != "created"  # the fixtures' bots (tests of their own below)
    ]


def test_a_budget_change_is_audited_with_who_before_and_after(paper_bot, bob):
    bot_update(
        bot=paper_bot, name="Bob ETH", budget_usd="250.50", leverage=1, is_active=True, actor=bob
    )
    [entry] = AuditEntry.objects.exclude(field="created")
    assert (entry.actor_id, entry.actor_label, entry.object_type, entry.object_id) == (
        bob.pk,
        "bob",
        "bot",
        paper_bot.pk,
    )
    assert (entry.object_label, entry.field, entry.before, entry.after) == (
        "Bob ETH",
        "initial_budget_usd",
        "100.00",
        "250.50",
    )
    assert entry.created_at is not None


def test_saving_without_a_change_writes_nothing(paper_bot, bob):
    bot_update(
        bot=paper_bot, name="Bob ETH", budget_usd="100", leverage=1, is_active=True, actor=bob
    )
    assert not AuditEntry.objects.exclude(field="created").exists()


def test_bot_activation_is_audited(paper_bot, alice):
    bot_update(
        bot=paper_bot, name="Bob ETH", budget_usd="100", leverage=1, is_active=False, actor=alice
    )
    assert _rows() == [("alice", "bot", paper_bot.pk, "is_active", "active", "inactive")]


def test_role_and_activation_changes_are_audited(alice, bob):
    user_set_role(user=bob, role="admin", actor=alice)
    user_set_role(user=bob, role="admin", actor=alice)  # no change, no row
    user_deactivate(user=bob, actor=alice)
    user_activate(user=bob, actor=alice)
    assert _rows() == [
        ("alice", "user", bob.pk, "is_active", "inactive", "active"),
        ("alice", "user", bob.pk, "is_active", "active", "inactive"),
        ("alice", "user", bob.pk, "role", "user", "admin"),
    ]


def _lock(username: str) -> None:
    from egis.accounts import throttle

    for _ in range(5):
        throttle.record_failure(username=username, address="10.0.0.9")


def test_an_admin_unlock_and_password_reset_are_audited_without_the_secrets(alice, bob):
    _lock("bob")
    user_unlock(user=bob, actor=alice)
    reset = user_password_reset(user=bob, actor=alice)
    rows = [(e.actor_label, e.object_id, e.field, e.after) for e in audit_entries()]
    assert ("alice", bob.pk, "login_lock", "unlocked") in rows
    [password_row] = [e for e in audit_entries() if e.field == "password"]
    assert password_row.actor_label == "alice" and password_row.before == "(hidden)"
    assert reset.password not in password_row.after and reset.raw_token not in password_row.after
    assert reset.token.prefix in password_row.after


def test_a_refused_change_leaves_no_row(paper_bot, bob):
    with pytest.raises(BotInputError):
        bot_update(bot=paper_bot, name="", budget_usd="5", leverage=1, is_active=True, actor=bob)
    assert not AuditEntry.objects.exclude(field="created").exists()


def test_the_row_is_rolled_back_with_the_change(paper_bot, bob):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        bot_update(
            bot=paper_bot, name="Bob ETH", budget_usd="5", leverage=1, is_active=True, actor=bob
        )
        assert AuditEntry.objects.exclude(field="created").count() == 1
        raise Boom
    paper_bot.refresh_from_db()
    assert str(paper_bot.initial_budget_usd) == "100.00000000"
    assert not AuditEntry.objects.exclude(field="created").exists()


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_an_audit_row_outside_the_change_transaction_is_a_bug(paper_bot, bob):
    with pytest.raises(AuditOutsideTransaction):
        audit_record(actor=bob, target=paper_bot, field="name", before="a", after="b")


def test_admins_read_the_audit_page_users_do_not(client, alice, bob, paper_bot):
    user_set_role(user=bob, role="admin", actor=alice)
    user_set_role(user=bob, role="user", actor=alice)
    login(client, alice)
    page = inertia(client, "/audit")
    assert page["component"] == "audit/index"
    entries = page["props"]["entries"]
    assert [(e["actor"], e["field"], e["before"], e["after"]) for e in entries] == [
        ("alice", "role", "admin", "user"),
        ("alice", "role", "user", "admin"),
        ("system", "created", "", "Paper ETHUSDT for bob: budget $100.00, leverage 1x"),
    ]
    assert entries[0]["object_label"] == "bob"

    login(client, bob)
    assert client.get("/audit", HTTP_X_INERTIA="true").status_code == 403
    client.logout()
    assert client.get("/audit").status_code in (302, 303)


def test_the_cli_lists_the_trail(paper_bot, bob, alice):
    bot_update(
        bot=paper_bot, name="Bob ETH", budget_usd="80", leverage=1, is_active=True, actor=bob
    )
    user_deactivate(user=bob, actor=alice)
    code, out, _err = run_cli("audit", "--json")
    assert code == 0
    entries = json.loads(out)["entries"]
    assert [(e["object_type"], e["field"], e["after"]) for e in entries][:2] == [
        ("user", "is_active", "inactive"),
        ("bot", "initial_budget_usd", "80.00"),
    ]
    code, out, _err = run_cli("audit", "--bot", str(paper_bot.pk), "--json")
    assert [e["field"] for e in json.loads(out)["entries"]] == ["initial_budget_usd", "created"]
    code, out, _err = run_cli("audit")
    assert code == 0 and "initial_budget_usd" in out


def test_the_audit_page_names_fields_in_words_and_spells_off_one_way(client, alice, paper_bot):
    bot_update(
        bot=paper_bot,
        name=paper_bot.name,
        budget_usd=str(paper_bot.initial_budget_usd),
        leverage=paper_bot.leverage,
        is_active=False,
        actor=alice,
        max_order_usd="50",
        cooldown_s="60",
    )
    _lock("alice")
    user_unlock(user=alice, actor=alice)
    login(client, alice)
    entries = inertia(client, "/audit")["props"]["entries"]
    labels = {e["field"]: e["field_label"] for e in entries}
    assert labels == {
        "created": "Created",
        "login_lock": "Login lock",
        "is_active": "Activation",
        "max_order_usd": "Max USD per order",
        "cooldown_s": "Cooldown between opens (seconds)",
    }
    # A limit that was not set is recorded as "off" (the page shows exactly that word).
    befores = {e["field"]: e["before"] for e in entries}
    assert befores["max_order_usd"] == befores["cooldown_s"] == "off"


def test_a_bot_created_and_deleted_is_in_the_trail_with_who_did_it(alice, bob, set_price):
    """Session 5 note: the Audit page said nothing of a bot's creation."""
    from egis.bots.services import bot_create, bot_delete

    set_price("ETHUSDT", "2934.56")
    bot = bot_create(
        owner=bob,
        name="Made by Alice",
        venue="paper",
        symbol="ethusdt",
        budget_usd="75.5",
        actor=alice,
    )
    code, out, _err = run_cli(
        "bot",
        "create",
        "--owner",
        "bob",
        "--name",
        "From a shell",
        "--venue",
        "paper",
        "--symbol",
        "ETHUSDT",
        "--budget",
        "20",
        "--json",
    )
    assert code == 0, _err
    shell = json.loads(out)["id"]
    bot_delete(bot=bot, actor=bob)
    rows = [(e.actor_label, e.object_id, e.field, e.before, e.after) for e in audit_entries()]
    assert rows[0] == ("bob", bot.pk, "deleted", "active", "deleted")
    assert rows[1][0].startswith("cli:") and rows[1][1:] == (
        shell,
        "created",
        "",
        "Paper ETHUSDT for bob: budget $20.00, leverage 1x",
    )
    assert rows[2] == (
        "alice",
        bot.pk,
        "created",
        "",
        "Paper ETHUSDT for bob: budget $75.50, leverage 1x",
    )
