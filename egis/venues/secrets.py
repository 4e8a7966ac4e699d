"""Exchange API secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key comes from the environment (`EGIS_SECRETS_KEY`, a Fernet key) or, failing that, from a
key file created once in the data folder with mode 0600. The clear secret exists only in memory,
while a request is signed; everything shown to a person is masked. A webhook's secret, checked on
every signal, is kept clear in the process's memory once decrypted (decrypt_secret_kept).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from egis.core.errors import UserFacingError

KEY_ENV = "EGIS_SECRETS_KEY"
KEY_FILE_NAME = "secrets.key"
MASK = "••••••"


class SecretUnreadable(UserFacingError):
    """A stored secret cannot be decrypted with the current key (the key changed or was lost)."""


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _load_key() -> bytes:
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return from_env.encode()
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once never write two different keys.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
                fh.flush()
                os.fsync(fh.fileno())
    return path.read_bytes().strip()


# The Fernet object of the current key, kept in this process's memory (never written or logged):
# a webhook decrypts its secret on every request, and reading the key file each time cost more
# than the decryption. Keyed by where the key comes from (the environment's value, or the key
# file's path, inode and mtime), so a changed variable or a replaced file is read afresh.
_cached: dict[tuple[object, ...], Fernet] = {}


def _key_source() -> tuple[object, ...]:
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return ("env", from_env)
    path = os.path.join(settings.DATA_DIR, KEY_FILE_NAME)  # _key_file(), without pathlib's cost
    try:
        st = os.stat(path)
    except OSError:
        return ("missing", path)
    return ("file", path, st.st_ino, st.st_mtime_ns, st.st_size)


def _fernet() -> Fernet:
    source = _key_source()
    cached = _cached.get(source)
    if cached is not None:
        return cached
    key = _load_key()
    try:
        fernet = Fernet(key)
    except ValueError as exc:
        raise SecretUnreadable(
            f"{KEY_ENV} (or {_key_file()}) is not a valid Fernet key: 32 url-safe base64 bytes"
        ) from exc
    if source[0] != "missing":  # a key file created just now is cached on the next call
        _cached.clear()
        _cached[source] = fernet
    return fernet


def encrypt_secret(clear: str) -> str:
    return _fernet().encrypt(clear.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "a stored API secret cannot be decrypted with the current key "
            f"({KEY_ENV} or {KEY_FILE_NAME} changed?): re-enter the account's secret"
        ) from exc


# Clear values of webhook secrets (decrypt_secret_kept), in this process's memory only: a webhook
# checks its secret on every signal, and Fernet's decryption was a tenth of the receipt. Keyed by
# the key source and the token (a token never changes: rotating a hook makes a new one), emptied
# when the key source changes, bounded (the oldest entry goes first). Never written or logged.
KEPT_MAX = 4096
_kept: dict[tuple[tuple[object, ...], str], str] = {}
_kept_source: list[tuple[object, ...]] = [()]
_kept_lock = threading.Lock()


def decrypt_secret_kept(token: str) -> str:
    """decrypt_secret, remembered for this process: the same answers (SecretUnreadable included:
    a failure is never kept) for the current key, without decrypting the same token twice."""
    source = _key_source()
    clear = _kept.get((source, token))
    if clear is not None:
        return clear
    with _kept_lock:
        if _kept_source[0] != source:
            _kept.clear()  # the key changed: nothing decrypted with the old one stays
            _kept_source[0] = source
    clear = decrypt_secret(token)
    with _kept_lock:
        if _kept_source[0] == source:
            while len(_kept) >= KEPT_MAX:
                del _kept[next(iter(_kept))]
            _kept[(source, token)] = clear
    return clear


def mask(clear: str) -> str:
    """`••••••3f9a`: enough to recognise a key, never enough to use it."""
    tail = clear[-4:] if len(clear) >= 12 else ""
    return f"{MASK}{tail}"


def masked_secret(token: str) -> str:
    try:
        return mask(decrypt_secret(token))
    except SecretUnreadable:
        return f"{MASK} (unreadable)"
