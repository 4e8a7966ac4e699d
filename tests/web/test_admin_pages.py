"""Incidents and Users: admins only (403 for a user), writes through egis.accounts.services."""

from __future__ import annotations

import json

import pytest

from egis.accounts.models import User
from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.ledger.incidents import incident_record
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db

ADMIN_ROUTES = [
    ("get", "/incidents"),
    ("post", "/incidents/1/resolve"),
    ("get", "/users"),
    ("post", "/users/new"),
    ("post", "/users/1/role"),
    ("post", "/users/1/deactivate"),
    ("post", "/users/1/activate"),
    ("post", "/users/1/unlock"),
    ("post", "/users/1/password-reset"),
]


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_a_user_gets_403_on_every_admin_route(as_bob, alice, method, url):
    password = alice.password
    response = getattr(as_bob, method)(url, HTTP_X_INERTIA="true")
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.role == "admin" and alice.is_active and alice.password == password


def test_incidents_newest_first_with_a_badge_count(as_alice, paper_bot):
    first = incident_record(kind="unknown_order", bot_id=paper_bot.pk, client_order_id="egis-1-a")
    second = incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0.003, venue 0")
    page = inertia(as_alice, "/incidents")
    assert [i["id"] for i in page["props"]["incidents"]["items"]] == [second.pk, first.pk]
    assert page["props"]["incidents"]["items"][0]["kind_label"] == "Ledger and venue disagree"
    assert page["props"]["nav"]["open_incidents"] == 2


def test_users_get_no_incident_count(as_bob, paper_bot):
    incident_record(kind="drift", bot_id=paper_bot.pk)
    assert inertia(as_bob, "/")["props"]["nav"]["open_incidents"] == 0


def test_admin_creates_a_user_with_a_generated_password_shown_once(as_alice):
    response = post_json(
        as_alice, "/users/new", {"username": "dora", "role": "user", "password": ""}
    )
    assert response.status_code == 200  # shown in this answer only (see test_secrets_at_rest)
    dora = User.objects.get(username="dora")
    assert dora.role == "user"
    secret = json.loads(response.content)["props"]["secret"]
    [item] = secret["items"]
    assert item["label"] == "Password" and dora.check_password(item["value"])
    assert inertia(as_alice, "/users")["props"]["secret"] is None


def test_create_user_refusal_is_shown(as_alice, bob):
    post_json(as_alice, "/users/new", {"username": "bob", "role": "user"})
    assert "already exists" in inertia(as_alice, "/users")["props"]["errors"]["user"]


def test_admin_sets_role_and_deactivates(as_alice, bob):
    post_json(as_alice, f"/users/{bob.pk}/role", {"role": "admin"})
    bob.refresh_from_db()
    assert bob.role == "admin"
    post_json(as_alice, f"/users/{bob.pk}/deactivate", {})
    bob.refresh_from_db()
    assert bob.is_active is False
    rows = {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}
    assert rows["bob"]["is_active"] is False
    assert rows["alice"]["is_self"] is True


def test_admin_reactivates_a_deactivated_user_who_can_log_in_again(as_alice, alice, bob, client):
    """Found by a newcomer run: once deactivated, a user could be brought back only from a
    Python shell, which wrote no audit line."""
    post_json(as_alice, f"/users/{bob.pk}/deactivate", {})
    assert (
        post_json(client, "/login", {"username": "bob", "password": "pw-bob-12345"})["Location"]
        == "/login"
    )
    post_json(as_alice, f"/users/{bob.pk}/activate", {})
    bob.refresh_from_db()
    assert bob.is_active is True
    ok = post_json(client, "/login", {"username": "bob", "password": "pw-bob-12345"})
    assert ok["Location"] == "/"
    audit = AuditEntry.objects.filter(object_type="user", object_id=bob.pk, field="is_active")
    changes = list(audit.order_by("id").values_list("before", "after", "actor_id"))
    assert changes == [("active", "inactive", alice.pk), ("inactive", "active", alice.pk)]
    post_json(as_alice, f"/users/{bob.pk}/activate", {})  # active already: told, nothing written
    assert audit.count() == 2


def test_admin_cannot_demote_or_deactivate_themselves(as_alice, alice):
    post_json(as_alice, f"/users/{alice.pk}/role", {"role": "user"})
    post_json(as_alice, f"/users/{alice.pk}/deactivate", {})
    alice.refresh_from_db()
    assert alice.role == "admin" and alice.is_active


def test_unknown_user_or_incident_is_404_for_admins(as_alice):
    assert as_alice.post("/users/999/role").status_code == 404
    assert as_alice.post("/incidents/999/resolve").status_code == 404


def test_admin_resolves_an_incident_with_a_required_reason(as_alice, paper_bot):
    incident = incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0, venue 0.003")
    page = inertia(as_alice, "/incidents")
    assert [a["value"] for a in page["props"]["incidents"]["items"][0]["actions"]] == [
        "close-position",
        "acknowledge",
    ]
    post_json(as_alice, f"/incidents/{incident.pk}/resolve", {"resolution": "acknowledge"})
    errors = inertia(as_alice, "/incidents")["props"]["errors"]
    assert errors == {f"incident_{incident.pk}": "A reason is required."}
    post_json(
        as_alice,
        f"/incidents/{incident.pk}/resolve",
        {"resolution": "acknowledge", "reason": "checked the venue: flat"},
    )
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolution_reason.startswith("checked the venue: flat")
    assert inertia(as_alice, "/incidents")["props"]["incidents"]["items"] == []


def test_resolving_a_drift_incident_says_that_opens_resume(as_alice, paper_bot):
    """Found by a newcomer run: the bot resumed, but the page only said "resolved"."""
    incident = incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0, venue 0.003")
    Bot.objects.filter(pk=paper_bot.pk).update(halted_reason=f"drift: incident #{incident.pk}")
    post_json(
        as_alice,
        f"/incidents/{incident.pk}/resolve",
        {"resolution": "acknowledge", "reason": "checked the venue: flat"},
    )
    flash = inertia(as_alice, "/incidents")["props"]["flash"][0]["message"]
    assert flash == f"Incident #{incident.pk} resolved. Opens resume on bot #{paper_bot.pk}."
    assert Bot.objects.get(pk=paper_bot.pk).halted_reason == ""


def test_an_action_that_does_not_apply_is_refused_in_words(as_alice, paper_bot):
    incident = incident_record(kind="drift", bot_id=paper_bot.pk)
    post_json(
        as_alice, f"/incidents/{incident.pk}/resolve", {"resolution": "void-order", "reason": "x"}
    )
    errors = inertia(as_alice, "/incidents")["props"]["errors"]
    assert "does not apply" in errors[f"incident_{incident.pk}"]


def test_admin_unlocks_an_account_locked_from_an_address(as_alice, bob):
    from django.test import Client, override_settings

    with override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3):
        locked = Client(REMOTE_ADDR="10.0.9.1")
        for _ in range(3):
            post_json(locked, "/login", {"username": "bob", "password": "wrong"})
        rows = {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}
        assert rows["bob"]["failed_logins"] == 3
        refused = post_json(locked, "/login", {"username": "bob", "password": "pw-bob-12345"})
        assert refused["Location"] == "/login"
        assert post_json(as_alice, f"/users/{bob.pk}/unlock", {}).status_code == 303
        assert "Unlocked bob" in inertia(as_alice, "/users")["props"]["flash"][0]["message"]
        ok = post_json(locked, "/login", {"username": "bob", "password": "pw-bob-12345"})
        assert ok["Location"] == "/"
    rows = {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}
    assert rows["bob"]["failed_logins"] == 0


def test_admin_resets_a_password_shown_once_with_a_new_api_token(as_alice, bob):
    from django.contrib.sessions.models import Session
    from django.test import Client

    from egis.accounts.tokens import token_authenticate

    bobs_browser = Client()
    bobs_browser.force_login(bob)
    response = post_json(as_alice, f"/users/{bob.pk}/password-reset", {})
    assert response.status_code == 200  # the one answer that shows them
    secret = json.loads(response.content)["props"]["secret"]
    shown = {i["label"]: i["value"] for i in secret["items"]}
    assert set(shown) == {"Password", "API token"}
    bob.refresh_from_db()
    assert bob.check_password(shown["Password"]) and not bob.check_password("pw-bob-12345")
    assert token_authenticate(shown["API token"]) == bob
    assert bobs_browser.get("/").status_code == 302  # bob's old session ended
    assert all(
        shown["Password"] not in str(s.get_decoded())
        and shown["API token"] not in str(s.get_decoded())
        for s in Session.objects.all()
    )
    assert inertia(as_alice, "/users")["props"]["secret"] is None
    assert as_alice.get(f"/users/{bob.pk}/password-reset")["Location"] == "/users"


def test_admin_cannot_reset_their_own_password_or_a_deactivated_users(as_alice, alice, bob):
    before = alice.password
    post_json(as_alice, f"/users/{alice.pk}/password-reset", {})
    alice.refresh_from_db()
    assert alice.password == before
    assert "Settings page" in inertia(as_alice, "/users")["props"]["flash"][0]["message"]
    bob.is_active = False
    bob.save()
    response = post_json(as_alice, f"/users/{bob.pk}/password-reset", {})
    assert response.status_code == 303
    assert "deactivated" in inertia(as_alice, "/users")["props"]["flash"][0]["message"]


def test_unlock_is_offered_only_for_a_locked_user_and_refused_in_words_otherwise(as_alice, bob):
    from django.test import Client

    from egis.audit.selectors import audit_entries

    rows = {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}
    assert rows["bob"]["locked"] is False  # the page offers no Unlock
    assert post_json(as_alice, f"/users/{bob.pk}/unlock", {}).status_code == 303
    flash = inertia(as_alice, "/users")["props"]["flash"]
    assert flash[0]["level"] == "error"
    assert flash[0]["message"].startswith("Not unlocked: bob is not locked")
    assert not [e for e in audit_entries() if e.field == "login_lock"]  # nothing happened

    guesser = Client(REMOTE_ADDR="10.0.9.2")
    for _ in range(2):  # below the limit: still not locked
        post_json(guesser, "/login", {"username": "bob", "password": "wrong"})
    assert {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}["bob"][
        "locked"
    ] is False
    for _ in range(3):
        post_json(guesser, "/login", {"username": "bob", "password": "wrong"})
    rows = {u["username"]: u for u in inertia(as_alice, "/users")["props"]["users"]}
    assert rows["bob"]["locked"] is True
    post_json(as_alice, f"/users/{bob.pk}/unlock", {})
    assert "Unlocked bob" in inertia(as_alice, "/users")["props"]["flash"][0]["message"]
