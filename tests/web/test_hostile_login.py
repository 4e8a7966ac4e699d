"""The login throttle under concurrent guesses (a real attacker sends them in parallel)."""

from __future__ import annotations

import json
import threading

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import Client, override_settings

from egis.accounts import throttle
from tests.web.conftest import post_json

pytestmark = pytest.mark.django_db(transaction=True)

GUESSES = 10


@pytest.mark.slow
def test_parallel_guesses_from_one_address_are_held_to_the_account_limit(bob, settings):
    from django.core.cache import cache

    cache.clear()
    # Production's hasher (the suite uses MD5 for speed): a password check takes real time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    bob.set_password("pw-bob-12345")
    bob.save()
    checked: list[str] = []
    lock = threading.Lock()

    def count(sender, credentials, **kwargs):
        with lock:
            checked.append(credentials.get("username", ""))

    user_login_failed.connect(count)
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> None:
        try:
            client = Client()
            start.wait()
            client.post(
                "/login",
                data=json.dumps({"username": "bob", "password": f"guess-{n}"}),
                content_type="application/json",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        user_login_failed.disconnect(count)
        cache.clear()
    limit = settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert len(checked) <= limit, f"{len(checked)} passwords tried, the limit is {limit}"


class CountingHasher(PBKDF2PasswordHasher):
    """Production's hasher, counting the passwords it checks (settings.PASSWORD_HASHERS)."""

    checked = 0
    lock = threading.Lock()

    def verify(self, password: str, encoded: str) -> bool:
        with CountingHasher.lock:
            CountingHasher.checked += 1
        return super().verify(password, encoded)


@pytest.mark.slow
def test_parallel_wrong_current_passwords_are_held_to_the_account_limit(bob, settings):
    """The settings page's current password is a guess like a login's, on the same counts."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    bob.set_password("pw-bob-12345")
    bob.save()
    CountingHasher.checked = 0
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> None:
        try:
            client = Client()
            client.force_login(bob)
            start.wait()
            client.post(
                "/settings/password",
                data=json.dumps(
                    {
                        "current_password": f"guess-{n}",
                        "new_password": "a-new-pass-9876",
                        "confirm_password": "a-new-pass-9876",
                    }
                ),
                content_type="application/json",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(GUESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    limit = settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert 0 < CountingHasher.checked <= limit, CountingHasher.checked
    bob.refresh_from_db()
    assert bob.check_password("pw-bob-12345")


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=100, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=3)
def test_a_right_password_gives_its_count_back(bob, charlie):
    """Counted before the check, a login gives the count back when the password is right: an
    address's right logins never use up its budget of wrong ones."""
    office = "10.0.6.1"
    post_json(Client(REMOTE_ADDR=office), "/login", {"username": "x1", "password": "wrong"})
    for _ in range(5):
        for name, password in (("bob", "pw-bob-12345"), ("charlie", "pw-charlie-1")):
            answer = post_json(
                Client(REMOTE_ADDR=office), "/login", {"username": name, "password": password}
            )
            assert answer["Location"] == "/", name
    assert throttle.state(username="bob", address=office).attempts_left == 2


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=2, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
def test_refused_attempts_are_not_counted(bob):
    """Past the limit an attempt is refused before any check and its count given back: the
    account's failures from anywhere (the admin's figure) stay those really tried."""
    for _ in range(6):
        post_json(Client(REMOTE_ADDR="10.0.7.1"), "/login", {"username": "bob", "password": "x"})
    assert throttle.failures_anywhere(username="bob") == 2
    assert throttle.state(username="bob", address="10.0.7.1").locked
