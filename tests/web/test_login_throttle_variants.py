"""The per-account lock cannot be sidestepped by spelling the user name differently: case and
surrounding whitespace count against the same account, and from any address."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.web.conftest import post_json

pytestmark = pytest.mark.django_db


@override_settings(EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT=3, EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS=100)
@pytest.mark.parametrize("spelling", ["BOB", " bob", "bob\t", "Bob ", "bob\u00a0"])
def test_failures_under_another_spelling_lock_the_account(bob, spelling):
    for i in range(3):
        post_json(
            Client(REMOTE_ADDR=f"10.0.1.{i}"), "/login", {"username": spelling, "password": "x"}
        )
    for name in ["bob", spelling]:
        response = post_json(
            Client(REMOTE_ADDR="10.0.2.1"), "/login", {"username": name, "password": "pw-bob-12345"}
        )
        assert response["Location"] == "/login", name  # refused, right password or not
