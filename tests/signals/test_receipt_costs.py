"""What the receive path no longer pays for on every request, and what it still guarantees.

- A signal that queues behind an older unfinished one of its bot wakes no worker (the worker's
  loop claims it after the older one); the first of a burst does, and every signal still ends
  executed in order of receipt.
- The Fernet object is kept per key source: the key file is not read for every decryption, and a
  replaced key file is read afresh.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
from cryptography.fernet import Fernet

from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.venues import secrets as vault

pytestmark = pytest.mark.django_db


@pytest.fixture
def huey_queue(queue_only):
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    yield HUEY
    HUEY.flush()


@pytest.mark.django_db(transaction=True)
def test_a_signal_behind_an_unfinished_one_wakes_no_worker_and_still_runs(sender, huey_queue):
    for n in range(3):
        body = {"action": "open", "side": "long", "size_usd": "10", "id": f"o{n}"}
        assert sender.post(body).status_code == 202
    assert huey_queue.pending_count() == 1  # the first of the burst only

    done = signal_process()

    assert [s.status for s in done] == [SignalStatus.EXECUTED] * 3
    assert [s.pk for s in done] == sorted(Signal.objects.values_list("id", flat=True))
    huey_queue.flush()
    assert sender.post({"action": "close", "id": "c1"}).status_code == 202
    assert huey_queue.pending_count() == 1  # nothing unfinished before it: wakes the worker


@pytest.mark.django_db(transaction=True)
def test_a_receipt_builds_no_orm_query(sender, huey_queue, orm_statements):
    # The receipt's reads and its INSERT are compiled once (egis.core.rows); the hook's page
    # answer is not this path. Statements the ORM builds per request cost more than the
    # statements themselves (docs/BENCHMARKS.md, benchmark 6).
    assert (
        sender.post({"action": "open", "side": "long", "size_usd": "10", "id": "o0"}).status_code
        == 202
    )
    orm_statements.clear()

    for n in range(1, 4):  # queued behind the first, then duplicates of it
        body = {"action": "open", "side": "long", "size_usd": "10", "id": f"o{n}"}
        assert sender.post(body).status_code == 202
    assert (
        sender.post({"action": "open", "side": "long", "size_usd": "10", "id": "o1"}).status_code
        == 200
    )

    assert orm_statements == []


@pytest.fixture
def key_dir(tmp_path, settings, monkeypatch):
    monkeypatch.delenv(vault.KEY_ENV, raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_fernet_object_is_kept_while_the_key_file_is_unchanged(key_dir):
    token = vault.encrypt_secret("s3cr3t")
    first = vault._fernet()

    assert vault._fernet() is first
    assert vault.decrypt_secret(token) == "s3cr3t"


def test_a_replaced_key_file_is_read_afresh(key_dir):
    token = vault.encrypt_secret("s3cr3t")
    assert vault.decrypt_secret(token) == "s3cr3t"
    key_file = key_dir / vault.KEY_FILE_NAME
    fresh = key_dir / "new.key"
    fresh.write_bytes(Fernet.generate_key())
    os.replace(fresh, key_file)

    with pytest.raises(vault.SecretUnreadable):
        vault.decrypt_secret(token)


def test_a_changed_environment_key_is_used_at_once(key_dir, monkeypatch):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(vault.KEY_ENV, first)
    token = vault.encrypt_secret("s3cr3t")
    monkeypatch.setenv(vault.KEY_ENV, second)

    with pytest.raises(vault.SecretUnreadable):
        vault.decrypt_secret(token)


def test_a_webhook_answer_mints_no_csrf_cookie_while_a_page_still_does(sender, queue_only):
    accepted = sender.post({"action": "close", "id": "no-cookie"})
    refused = sender.post({"action": "close", "id": "no-cookie-2"}, secret="wrong")
    assert (accepted.status_code, refused.status_code) == (202, 404)
    for answer in (accepted, refused):
        assert "csrftoken" not in answer.cookies
        assert "X-Inertia" not in answer.get("Vary", "")
    page = sender.client.get("/login")
    assert page.status_code == 200 and "csrftoken" in page.cookies  # Inertia's middleware ran


# --- a webhook's secret is decrypted once per process (egis.venues.secrets.decrypt_secret_kept)


@pytest.fixture
def decryptions(monkeypatch):
    """Counts the real decryptions behind the kept secrets (the real decrypt_secret runs)."""
    from egis.signals import hooks

    monkeypatch.setattr(vault, "_kept", {})
    monkeypatch.setattr(hooks, "_dummy", [])  # encrypted afresh, with this test's key
    calls: list[str] = []
    real = vault.decrypt_secret

    def counted(token: str) -> str:
        calls.append(token)
        return real(token)

    monkeypatch.setattr(vault, "decrypt_secret", counted)
    return calls


def test_a_hook_secret_and_the_dummy_are_decrypted_once_per_process(sender, decryptions):
    unknown = "/hooks/no-such-hook-id-at-all-000000000"
    for n in range(3):
        assert sender.post({"action": "close", "id": f"c{n}"}).status_code in (202, 422)
        assert sender.post({"action": "close"}, url=unknown).status_code == 404
        assert sender.post({"action": "close"}, secret="wrong").status_code == 404
    # The hook's token and the dummy compared against for an unknown hook: once each.
    assert sorted(set(decryptions)) == sorted(decryptions) and len(decryptions) == 2
    assert sender.issued.hook.secret_encrypted in decryptions


def test_a_rotated_hook_refuses_the_old_secret_at_once(sender, paper_bot, decryptions, queue_only):
    from egis.signals.hooks import hook_rotate

    old_secret = sender.issued.secret
    assert sender.post({"action": "close", "id": "before"}).status_code == 202
    sender.issued = hook_rotate(bot_id=paper_bot.pk)
    assert sender.post({"action": "close", "id": "old"}, secret=old_secret).status_code == 404
    assert sender.post({"action": "close", "id": "new"}).status_code == 202


def test_a_kept_secret_goes_with_its_key(key_dir, decryptions):
    token = vault.encrypt_secret("s3cr3t")
    assert vault.decrypt_secret_kept(token) == vault.decrypt_secret_kept(token) == "s3cr3t"
    assert len(decryptions) == 1
    fresh = key_dir / "new.key"
    fresh.write_bytes(Fernet.generate_key())
    os.replace(fresh, key_dir / vault.KEY_FILE_NAME)

    with pytest.raises(vault.SecretUnreadable):  # a changed key: nothing old is answered
        vault.decrypt_secret_kept(token)
    with pytest.raises(vault.SecretUnreadable):  # and a failure is never kept
        vault.decrypt_secret_kept(token)
    assert len(decryptions) == 3 and len(vault._kept) == 0


def test_the_kept_secrets_are_bounded(key_dir, decryptions, monkeypatch):
    monkeypatch.setattr(vault, "KEPT_MAX", 3)
    tokens = [vault.encrypt_secret(f"s{n}") for n in range(5)]
    assert [vault.decrypt_secret_kept(t) for t in tokens] == [f"s{n}" for n in range(5)]
    assert len(vault._kept) == 3
    assert {token for _, token in vault._kept} == set(tokens[2:])  # the oldest went first


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_cannot_take_the_wake_up_still_answers_accepted(sender, huey_queue, caplog):
    """The signal is committed before the wake-up: a locked queue file loses only the wake-up
    (the periodic sweep runs the signal), never the answer."""
    storage = huey_queue.storage
    timeout = storage._timeout
    storage._timeout = 0.1
    storage.close()  # the next connection waits 0.1 s for a lock, not 5 s
    other = sqlite3.connect(storage.filename, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the queue file
    try:
        answer = sender.post({"action": "close", "id": "locked-queue"})
    finally:
        other.execute("ROLLBACK")
        other.close()
        storage._timeout = timeout
        storage.close()

    assert answer.status_code == 202
    assert Signal.objects.get().status == SignalStatus.QUEUED
    assert huey_queue.pending_count() == 0
    assert "the worker was not woken" in caplog.text
    assert [s.status for s in signal_process()] == [SignalStatus.REJECTED]  # nothing to close
