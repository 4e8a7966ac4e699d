"""The login lock (egis/web/throttle.py): nobody can lock a known user out at will.

Failures count per account + address (the lock a person meets), per address (spraying), and per
account from anywhere (a distributed guess: past that cap only addresses the account logged in
from before may try). Spellings of a user name share their counts.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db

BOB_PASSWORD = "pw-bob-12345"


def _attempt(address: str, username: str, password: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    post_json(client, "/login", {"username": username, "password": password})
    return client


def _logs_in(address: str, username: str = "bob", password: str = BOB_PASSWORD) -> bool:
    client = Client(REMOTE_ADDR=address)
    response = post_json(client, "/login", {"username": username, "password": password})
    return response["Location"] == "/"


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
def test_an_attacker_who_knows_the_name_locks_out_only_themselves(bob):
    # Before: the account was locked for everyone after N failures from anywhere.
    for _ in range(10):
        _attempt("203.0.113.66", "bob", "guess")
    assert not _logs_in("203.0.113.66")  # the attacker's address is locked for bob
    assert _logs_in("198.51.100.7")  # bob, elsewhere, is not


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
@pytest.mark.parametrize(
    "spelling", ["BOB", " bob", "bob\t", "Bob ", "bob\u00a0", "\uff42\uff4f\uff42"]
)
def test_failures_under_another_spelling_count_for_the_same_account(bob, spelling):
    for _ in range(3):
        _attempt("10.0.1.1", spelling, "x")
    for name in ["bob", spelling]:
        assert not _logs_in("10.0.1.1", name), name  # refused, right password or not


@override_settings(
    EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3,
    EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100,
    EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE=6,
)
def test_a_distributed_guess_narrows_the_account_to_known_addresses(bob):
    assert _logs_in("192.0.2.10")  # bob's usual address, remembered as known
    for i in range(6):  # 3 bot addresses, 2 guesses each: no single address is locked
        _attempt(f"203.0.113.{i // 2}", "bob", "guess")
    # A new address may not even try now, with the right password ...
    assert not _logs_in("198.51.100.99")
    page = inertia(Client(REMOTE_ADDR="198.51.100.99"), "/login")
    assert page["props"]["errors"] == {}
    refused = Client(REMOTE_ADDR="198.51.100.99")
    post_json(refused, "/login", {"username": "bob", "password": BOB_PASSWORD})
    assert "password-guessing attack" in inertia(refused, "/login")["props"]["errors"]["form"]
    # ... while bob at his known address still logs in.
    assert _logs_in("192.0.2.10")


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=5, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
def test_the_page_says_how_many_attempts_are_left(bob):
    client = Client(REMOTE_ADDR="10.0.3.1")
    expected = [
        "Wrong user name or password. 4 attempts left from this address.",
        "Wrong user name or password. 3 attempts left from this address.",
        "Wrong user name or password. 2 attempts left from this address.",
        "Wrong user name or password. 1 attempt left from this address.",
    ]
    for message in expected:
        post_json(client, "/login", {"username": "bob", "password": "wrong"})
        assert inertia(client, "/login")["props"]["errors"]["form"] == message
    post_json(client, "/login", {"username": "bob", "password": "wrong"})
    last = inertia(client, "/login")["props"]["errors"]["form"]
    assert "No attempts left" in last and "ask an admin to unlock" in last
    post_json(client, "/login", {"username": "bob", "password": BOB_PASSWORD})
    assert "Too many failed attempts" in inertia(client, "/login")["props"]["errors"]["form"]


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=100, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=3)
def test_attempts_left_counts_the_address_limit_too(bob, charlie):
    client = Client(REMOTE_ADDR="10.0.4.1")
    post_json(client, "/login", {"username": "x1", "password": "wrong"})
    post_json(client, "/login", {"username": "bob", "password": "wrong"})
    assert inertia(client, "/login")["props"]["errors"]["form"].endswith(
        "1 attempt left from this address."
    )


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
def test_success_clears_the_account_and_address_count(bob):
    _attempt("10.0.5.1", "bob", "x")
    _attempt("10.0.5.1", "bob", "x")
    assert _logs_in("10.0.5.1")
    _attempt("10.0.5.1", "bob", "x")
    _attempt("10.0.5.1", "bob", "x")
    assert _logs_in("10.0.5.1")
