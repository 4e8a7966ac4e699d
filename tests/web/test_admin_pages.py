"""Incidents and Users: admins only (403 for a user), writes through egis.accounts.services."""

from __future__ import annotations

import json

import pytest

from egis.accounts.models import User
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
]


@pytest.mark.parametrize(("method", "url"), ADMIN_ROUTES)
def test_a_user_gets_403_on_every_admin_route(as_bob, alice, method, url):
    response = getattr(as_bob, method)(url, HTTP_X_INERTIA="true")
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.role == "admin" and alice.is_active


def test_incidents_newest_first_with_a_badge_count(as_alice, paper_bot):
    first = incident_record(kind="unknown_order", bot_id=paper_bot.pk, client_order_id="egis-1-a")
    second = incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0.003, venue 0")
    page = inertia(as_alice, "/incidents")
    assert [i["id"] for i in page["props"]["incidents"]] == [second.pk, first.pk]
    assert page["props"]["incidents"][0]["kind_label"] == "Ledger and venue disagree"
    assert page["props"]["nav"]["open_incidents"] == 2


def test_users_get_no_incident_count(as_bob, paper_bot):
    incident_record(kind="drift", bot_id=paper_bot.pk)
    assert inertia(as_bob, "/")["props"]["nav"]["open_incidents"] == 0


def test_admin_creates_a_user_with_a_generated_password_shown_once(as_alice):
    response = post_json(
        as_alice, "/users/new", {"username": "dora", "role": "user", "password": ""}
    )
    assert response.status_code == 200  # shown in this answer only (see test_secrets_at_rest)
    assert User.objects.get(username="dora").role == "user"
    flash = json.loads(response.content)["props"]["flash"]
    assert "password (shown once)" in flash[0]["message"]
    assert inertia(as_alice, "/users")["props"]["flash"] == []


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
    assert [a["value"] for a in page["props"]["incidents"][0]["actions"]] == [
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
    assert inertia(as_alice, "/incidents")["props"]["incidents"] == []


def test_an_action_that_does_not_apply_is_refused_in_words(as_alice, paper_bot):
    incident = incident_record(kind="drift", bot_id=paper_bot.pk)
    post_json(
        as_alice, f"/incidents/{incident.pk}/resolve", {"resolution": "void-order", "reason": "x"}
    )
    errors = inertia(as_alice, "/incidents")["props"]["errors"]
    assert "does not apply" in errors[f"incident_{incident.pk}"]
