"""Login and logout: sessions, CSRF, throttling (more in test_login_throttle_variants.py)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from egis.accounts.throttle import client_address
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login_for_every_page(client):
    for url in ["/", "/bots/1", "/settings", "/incidents", "/users", "/bots/new"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login?next=")


def test_login_page_renders_the_react_shell(client):
    response = client.get("/login")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-page="app"' in body
    assert "/static/build/assets/" in body  # the Vite bundle from the manifest
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_login_with_the_right_password_starts_a_session(client, bob):
    response = post_json(client, "/login", {"username": "bob", "password": "pw-bob-12345"})
    assert response.status_code == 303
    assert response["Location"] == "/"
    page = inertia(client, "/")
    assert page["props"]["auth"]["user"]["username"] == "bob"


def test_login_keeps_a_safe_next_and_drops_an_offsite_one(client, bob):
    ok = post_json(
        client, "/login", {"username": "bob", "password": "pw-bob-12345", "next": "/settings"}
    )
    assert ok["Location"] == "/settings"
    client.logout()
    evil = post_json(
        client,
        "/login",
        {"username": "bob", "password": "pw-bob-12345", "next": "https://evil.example/"},
    )
    assert evil["Location"] == "/"


def test_wrong_password_says_so_in_words(client, bob):
    response = post_json(client, "/login", {"username": "bob", "password": "nope"})
    assert response.status_code == 303
    page = inertia(client, "/login")
    assert page["props"]["errors"] == {
        "form": "Wrong user name or password. 4 attempts left from this address."
    }
    assert page["props"]["auth"]["user"] is None


def test_malformed_login_bodies_never_crash(client, bob):
    for body in ['{"username": ["x"], "password": 5}', '{"username": null}']:
        response = client.post("/login", data=body, content_type="application/json")
        assert response.status_code == 303
    # Not JSON at all, nested past the limit, or not an object: a 400 before the view reads
    # anything.
    for body in ["not json", "[" * 3000 + "]" * 3000, "[]"]:
        response = client.post("/login", data=body, content_type="application/json")
        assert response.status_code == 400


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client, bob):
    for _ in range(3):
        post_json(client, "/login", {"username": "bob", "password": "wrong"})
    response = post_json(client, "/login", {"username": "bob", "password": "pw-bob-12345"})
    assert response.status_code == 303
    assert response["Location"] == "/login"
    page = inertia(client, "/login")
    assert "Too many failed attempts" in page["props"]["errors"]["form"]


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=4, EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=100)
def test_address_is_locked_after_failures_across_accounts(client, bob, charlie):
    for name in ["x1", "x2", "x3", "x4"]:
        post_json(client, "/login", {"username": name, "password": "wrong"})
    response = post_json(client, "/login", {"username": "charlie", "password": "pw-charlie-1"})
    assert response["Location"] == "/login"
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    ok = post_json(other_address, "/login", {"username": "charlie", "password": "pw-charlie-1"})
    assert ok["Location"] == "/"


@override_settings(
    EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=4,
    EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=100,
    EGIS_BEHIND_TLS_PROXY=True,
)
def test_behind_the_proxy_a_spraying_client_locks_out_itself_not_everyone(bob, charlie):
    """Behind the TLS proxy every request's REMOTE_ADDR is the proxy's: the address lock then
    locked every user out after 4 (20 by default) wrong passwords from anyone. The client is
    the address the proxy wrote last in X-Forwarded-For."""
    proxy = "172.18.0.5"
    sprayer = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for name in ["x1", "x2", "x3", "x4"]:
        post_json(sprayer, "/login", {"username": name, "password": "wrong"})
    # A client's own X-Forwarded-For comes first; the proxy appends the address it saw last.
    spoofing = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    refused = post_json(spoofing, "/login", {"username": "charlie", "password": "pw-charlie-1"})
    assert refused["Location"] == "/login"
    charlie_at_home = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    ok = post_json(charlie_at_home, "/login", {"username": "charlie", "password": "pw-charlie-1"})
    assert ok["Location"] == "/"


def test_the_client_address_is_the_proxys_last_entry_only_behind_the_proxy(settings):
    meta = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7"}
    settings.EGIS_BEHIND_TLS_PROXY = False
    assert client_address(meta) == "172.18.0.5"  # a client's header is not believed
    settings.EGIS_BEHIND_TLS_PROXY = True
    assert client_address(meta) == "203.0.113.7"
    assert client_address({**meta, "HTTP_X_FORWARDED_FOR": "2001:db8::1"}) == "2001:db8::1"
    assert client_address({**meta, "HTTP_X_FORWARDED_FOR": "not an address"}) == "172.18.0.5"
    assert client_address({"REMOTE_ADDR": "172.18.0.5"}) == "172.18.0.5"


def test_login_needs_the_csrf_token(bob):
    strict = Client(enforce_csrf_checks=True)
    response = post_json(strict, "/login", {"username": "bob", "password": "pw-bob-12345"})
    # Refused; an Inertia visit is sent back to reload its page (a fresh token), not a 403 modal.
    assert response.status_code == 409
    assert "_auth_user_id" not in strict.session
    strict.get("/login")  # sets the csrftoken cookie (Inertia sends it back as X-CSRFToken)
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        "/login",
        data='{"username": "bob", "password": "pw-bob-12345"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 303
    assert response["Location"] == "/"


def test_logout_ends_the_session(as_bob):
    assert as_bob.get("/logout").status_code == 405  # never by GET (a link cannot log you out)
    response = as_bob.post("/logout")
    assert response.status_code == 303
    assert as_bob.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, bob):
    bob.is_active = False
    bob.save()
    post_json(client, "/login", {"username": "bob", "password": "pw-bob-12345"})
    assert client.get("/").status_code == 302
