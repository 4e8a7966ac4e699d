"""API tokens: shown once, stored hashed, looked up by prefix, revocable, never logged."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from egis.accounts.models import ApiToken
from egis.accounts.tokens import (
    TokenError,
    token_authenticate,
    token_create,
    token_revoke,
)

pytestmark = pytest.mark.django_db


def _all_stored_text() -> str:
    """Every column of every api_tokens row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_tokens")
        return json.dumps(cursor.fetchall(), default=str)


def test_the_database_holds_only_the_hash_and_the_public_prefix(bob):
    token, raw = token_create(user=bob, name="script")

    stored = _all_stored_text()
    secret = raw.split("_", 2)[2]
    assert raw not in stored
    assert secret not in stored
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"egis_{token.prefix}_")
    assert len(secret) >= 40  # 32 random bytes, url-safe


def test_a_token_authenticates_its_user_and_records_last_use(bob):
    token, raw = token_create(user=bob)
    assert token.last_used_at is None

    assert token_authenticate(raw) == bob
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "egis_",
        "egis__",
        "egis_abc",
        "Bearer x",
        "egis_nope_nope",
        "é" * 50,
        "egis_" + "a" * 500,
    ],
)
def test_malformed_tokens_are_refused_quietly(bob, garbage):
    token_create(user=bob)
    assert token_authenticate(garbage) is None


def test_right_prefix_wrong_secret_is_refused(bob):
    token, raw = token_create(user=bob)
    assert token_authenticate(f"egis_{token.prefix}_{'x' * 43}") is None
    assert token_authenticate(raw + "x") is None


def test_revoked_token_and_inactive_user_are_refused(bob, charlie):
    token, raw = token_create(user=bob)
    token_revoke(token_id=token.pk)
    assert token_authenticate(raw) is None

    _, charlie_raw = token_create(user=charlie)
    charlie.is_active = False
    charlie.save()
    assert token_authenticate(charlie_raw) is None


def test_revoking_twice_keeps_the_first_time(bob):
    token, _ = token_create(user=bob)
    first = token_revoke(token_id=token.pk).revoked_at
    second = token_revoke(token_id=token.pk).revoked_at
    assert first is not None and first == second


def test_a_user_cannot_revoke_someone_elses_token_but_an_admin_can(alice, bob, charlie):
    token, _ = token_create(user=bob)
    with pytest.raises(TokenError):
        token_revoke(token_id=token.pk, actor=charlie)
    assert token_revoke(token_id=token.pk, actor=alice).revoked_at is not None


def test_the_clear_token_never_reaches_the_log(bob, caplog):
    caplog.set_level(logging.DEBUG)
    _, raw = token_create(user=bob)
    token_authenticate(raw)
    token_authenticate(raw[:-2] + "zz")
    secret = raw.split("_", 2)[2]
    assert secret not in caplog.text


def test_cli_creates_lists_and_revokes(bob, capsys):
    call_command("egis", "token", "create", "bob", "--name", "ci", "--json")
    created = json.loads(capsys.readouterr().out)
    raw = created["token"]
    assert token_authenticate(raw) == bob
    assert raw not in _all_stored_text()

    call_command("egis", "token", "list", "--json")
    listed = capsys.readouterr().out
    assert raw not in listed
    assert raw.split("_", 2)[2] not in listed
    (row,) = json.loads(listed)["tokens"]
    assert row["prefix"] == created["prefix"] and row["user"] == "bob"
    assert "token_hash" not in row

    call_command("egis", "token", "revoke", str(created["id"]), "--json")
    assert json.loads(capsys.readouterr().out)["revoked_at"] is not None
    assert token_authenticate(raw) is None
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None


def test_cli_refuses_an_unknown_user(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("egis", "token", "create", "nobody", "--json")
    assert exit_info.value.code == 1
    assert "no user named" in capsys.readouterr().out
