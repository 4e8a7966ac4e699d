"""What the receive path no longer pays for on every request, and what it still guarantees.

- A signal that queues behind an older unfinished one of its bot wakes no worker (the worker's
  loop claims it after the older one); the first of a burst does, and every signal still ends
  executed in order of receipt.
- The Fernet object is kept per key source: the key file is not read for every decryption, and a
  replaced key file is read afresh.
"""

from __future__ import annotations

import os

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
