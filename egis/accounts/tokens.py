"""API tokens: created once, stored hashed, looked up by a public prefix, revoked for good.

A token reads `egis_<prefix>_<secret>`: `prefix` (12 hex chars) is stored in clear and finds the
row; the whole token is checked against its stored SHA-256 in constant time. The clear token is
returned once by `token_create` and never stored, logged or shown again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from egis.accounts.models import ApiToken, User
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError, parse_name
from egis.core.rows import RowPair

logger = logging.getLogger("egis.tokens")

TOKEN_PREFIX = "egis_"  # noqa: S105 (a public marker, not a secret)
# Writing last_used_at on every request would take SQLite's write lock on every GET.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 200


class TokenError(UserFacingError):
    pass


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _split(raw: str) -> str | None:
    """The public prefix of a well-formed token, else None (never raises on garbage)."""
    if not raw.isascii() or not raw.startswith(TOKEN_PREFIX) or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret:
        return None
    return prefix


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the clear token (shown once, never stored)."""
    try:
        name = parse_name(name, field="token name", required=False)
    except InputError as exc:
        raise TokenError(exc.message) from exc
    if not user.is_active:
        raise TokenError(f"user {user.username!r} is inactive")
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(6)
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, token_hash=token_hash(raw)
        )
    logger.info("api token %s created for user #%s", prefix, user.pk)
    return token, raw


def token_revoke(*, token_id: int, actor: User | None = None) -> ApiToken:
    """Revoke a token for good. Idempotent: revoking twice keeps the first time.

    A user may revoke only their own tokens; an admin (or the CLI, actor=None) any token.
    """
    token = ApiToken.objects.filter(pk=token_id).select_related("user").first()
    if token is None or (actor is not None and not actor.is_admin and token.user_id != actor.pk):
        raise TokenError(f"token #{token_id} does not exist")
    # Compare-and-set: a concurrent revoke cannot move the first revocation time.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    logger.info("api token %s revoked", token.prefix)
    return token


# Every API request authenticates: the token and its user in one statement compiled once
# (egis.core.rows); prefix is unique.
_LIVE_TOKEN_AND_USER: RowPair[ApiToken, User] = RowPair(
    ApiToken, "user", "a.prefix = %s AND a.revoked_at IS NULL"
)


def token_authenticate(raw: str) -> User | None:
    """The active user a clear token belongs to, or None. Never raises on malformed input."""
    prefix = _split(raw)
    if prefix is None:
        return None
    found = _LIVE_TOKEN_AND_USER.one(prefix)
    if found is None:
        return None
    token, user = found
    if not hmac.compare_digest(token.token_hash, token_hash(raw)):
        return None
    if not user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        try:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        except DatabaseError:
            # Bookkeeping only: a busy database must not turn a valid read into an error.
            logger.warning("api token %s: last_used_at not recorded (database busy)", prefix)
    return user


def token_list(*, user: User | None = None) -> list[ApiToken]:
    qs = ApiToken.objects.select_related("user").order_by("id")
    if user is not None:
        qs = qs.filter(user=user)
    return list(qs)
