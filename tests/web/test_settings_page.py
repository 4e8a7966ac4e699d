"""Settings: a person's own API tokens (shown once) and exchange accounts (secrets masked)."""

from __future__ import annotations

import json

import pytest

from egis.accounts.models import ApiToken
from egis.accounts.tokens import token_create
from egis.venues.models import ExchangeAccount
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db


def test_token_is_shown_once_and_stored_hashed(as_bob, bob):
    from django.contrib.sessions.models import Session

    response = post_json(as_bob, "/settings/tokens", {"name": "script"})
    assert response.status_code == 200
    secret = json.loads(response.content)["props"]["secret"]
    [item] = secret["items"]
    assert item["label"] == "API token"
    shown = item["value"]
    assert shown.startswith("egis_")
    token = ApiToken.objects.get(user=bob)
    assert shown not in (token.token_hash, token.prefix)
    # The clear token is in that one answer only: not in any stored session, not shown again.
    assert all(shown not in str(s.get_decoded()) for s in Session.objects.all())
    assert inertia(as_bob, "/settings")["props"]["secret"] is None
    assert as_bob.get("/settings/tokens").status_code == 303


def test_user_cannot_revoke_another_users_token(as_charlie, bob):
    token, _ = token_create(user=bob, name="bob's")
    assert as_charlie.post(f"/settings/tokens/{token.pk}/revoke").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_user_revokes_own_token(as_bob, bob):
    token, _ = token_create(user=bob)
    assert as_bob.post(f"/settings/tokens/{token.pk}/revoke").status_code == 303
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_exchange_account_secret_is_entered_once_and_masked(as_bob, bob, charlie):
    secret = "s3cr3t-value-abcdef123456"
    post_json(
        as_bob,
        "/settings/accounts",
        {
            "label": "demo",
            "environment": "demo",
            "api_key": "KEY1234567890abcd",
            "api_secret": secret,
        },
    )
    account = ExchangeAccount.objects.get(owner=bob)
    assert secret not in account.api_secret_encrypted
    response = as_bob.get("/settings", HTTP_X_INERTIA="true")
    assert secret not in response.content.decode()
    [row] = response.json()["props"]["accounts"]
    assert row["api_key_masked"] == "••••••abcd"
    assert row["api_secret_masked"].endswith("3456")
    # Charlie does not see Bob's account.
    assert inertia(_login(charlie), "/settings")["props"]["accounts"] == []


def _login(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_bad_account_input_is_refused_in_words(as_bob):
    post_json(
        as_bob, "/settings/accounts", {"environment": "demo", "api_key": "x", "api_secret": ""}
    )
    assert "Not added" in inertia(as_bob, "/settings")["props"]["errors"]["account"]


def _change(client, current, new, confirm=None):
    return post_json(
        client,
        "/settings/password",
        {"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


def test_a_user_changes_their_password_and_stays_logged_in(bob):
    from django.test import Client

    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        c.post("/login", {"username": "bob", "password": "pw-bob-12345"})
    response = _change(here, "pw-bob-12345", "a-new-long-passphrase-9")
    assert response["Location"] == "/settings"
    bob.refresh_from_db()
    assert bob.check_password("a-new-long-passphrase-9")
    page = inertia(here, "/settings")  # this session is still logged in
    assert page["props"]["flash"][0]["message"].startswith("Password changed")
    assert elsewhere.get("/settings").status_code == 302  # the other session ended


@pytest.mark.parametrize(
    ("current", "new", "confirm", "key", "words"),
    [
        ("wrong", "a-new-long-passphrase-9", None, "current_password", "current password is wrong"),
        (
            "pw-bob-12345",
            "a-new-long-passphrase-9",
            "other-long-passphrase-9",
            "password",
            "differ",
        ),
        ("pw-bob-12345", "short", None, "password", "too short"),
        ("pw-bob-12345", "12345678901234", None, "password", "entirely numeric"),
        ("pw-bob-12345", "pw-bob-12345", None, "password", "same as the current"),
    ],
)
def test_a_bad_password_change_is_refused_in_words(as_bob, bob, current, new, confirm, key, words):
    _change(as_bob, current, new, confirm)
    errors = inertia(as_bob, "/settings")["props"]["errors"]
    assert words in errors[key]
    assert not errors[key].endswith("..")  # one final period, not two
    bob.refresh_from_db()
    assert bob.check_password("pw-bob-12345")


def test_guessing_the_current_password_on_settings_hits_the_login_lock(bob):
    from django.test import Client, override_settings

    with override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3):
        stolen = Client(REMOTE_ADDR="10.0.7.1")
        stolen.force_login(bob)
        for guess in ["a", "b", "c"]:
            _change(stolen, guess, "a-new-long-passphrase-9")
        _change(stolen, "pw-bob-12345", "a-new-long-passphrase-9")
        assert (
            "Too many failed attempts"
            in inertia(stolen, "/settings")["props"]["errors"]["password"]
        )
    bob.refresh_from_db()
    assert bob.check_password("pw-bob-12345")
