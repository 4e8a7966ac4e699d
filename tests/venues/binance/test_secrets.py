"""API secrets: encrypted at rest, masked when shown, key file created once with mode 0600."""

import os
import stat

import pytest
from cryptography.fernet import Fernet

from egis.venues import secrets as vault
from egis.venues.accounts import account_create, account_json
from egis.venues.models import ExchangeAccount

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-AbCdEfGh-0123456789-3f9a"


@pytest.fixture
def key_dir(tmp_path, settings, monkeypatch):
    monkeypatch.delenv(vault.KEY_ENV, raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_key_file_is_created_once_with_mode_0600(key_dir):
    token = vault.encrypt_secret(SECRET)
    key_file = key_dir / vault.KEY_FILE_NAME
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    first_key = key_file.read_bytes()

    assert vault.decrypt_secret(token) == SECRET
    vault.encrypt_secret("again")
    assert key_file.read_bytes() == first_key


def test_key_from_the_environment_wins(key_dir, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(vault.KEY_ENV, key)

    token = vault.encrypt_secret(SECRET)

    assert Fernet(key.encode()).decrypt(token.encode()).decode() == SECRET
    assert not (key_dir / vault.KEY_FILE_NAME).exists()


def test_a_changed_key_is_a_clear_error_not_a_crash(key_dir, monkeypatch):
    token = vault.encrypt_secret(SECRET)
    monkeypatch.setenv(vault.KEY_ENV, Fernet.generate_key().decode())

    with pytest.raises(vault.SecretUnreadable, match="re-enter"):
        vault.decrypt_secret(token)
    assert vault.masked_secret(token).endswith("(unreadable)")


def test_the_secret_is_stored_encrypted_and_shown_masked(key_dir, bob):
    account = account_create(
        owner=bob,
        venue="binance_futures",
        api_key="demokey0123456789",
        api_secret=SECRET,
    )

    stored = ExchangeAccount.objects.get(pk=account.pk).api_secret_encrypted
    assert SECRET not in stored
    shown = account_json(account)
    assert shown["api_secret"] == "••••••3f9a"
    assert SECRET not in str(shown)
    assert shown["environment"] == "demo"
    assert shown["base_url"] == "https://demo-fapi.binance.com"
