"""A bot's webhook: create, rotate, revoke, switch on/off, and authenticate a request.

The hook id is the URL (unguessable, `secrets.token_urlsafe`); the secret is shown once and kept
encrypted at rest (egis.venues.secrets, like exchange secrets) because an HMAC signature is
checked with it. Every way a request can fail to authenticate (unknown hook, wrong secret,
revoked hook, deactivated owner, deleted bot, bad or stale signature) is one and the same
`HookRefused`: the answer tells an attacker nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egis.accounts.models import User
from egis.audit.services import audit_record
from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.core.rows import RowPair
from egis.signals.models import SignalHook
from egis.venues.secrets import SecretUnreadable, decrypt_secret_kept, encrypt_secret

HOOK_ID_BYTES = 24  # 32 url-safe characters
SECRET_BYTES = 24
SIGNATURE_TOLERANCE_S = 300
_DUMMY_SECRET = secrets.token_urlsafe(SECRET_BYTES)  # compared against when no hook matches


class HookError(UserFacingError):
    code = "hook_refused"
    http_status = 409


class HookRefused(Exception):
    """Authentication failed, for whatever reason: the edge answers the same bytes every time.
    `hook_pk` and `why`: the live hook that was named and what was wrong, when a live hook was
    named (recorded for its owner, never told to the sender)."""

    def __init__(self, *, hook_pk: int | None = None, why: str = "") -> None:
        super().__init__("refused")
        self.hook_pk, self.why = hook_pk, why


@dataclass(frozen=True)
class IssuedHook:
    """A hook with its clear secret: returned once, by create and rotate, never again."""

    hook: SignalHook
    secret: str


# Who made a change: a person, or a label ("cli:alice"); neither is "system".
Who = tuple[User | None, str | None]


def _lock_bot(bot_id: int) -> Bot:
    bot = Bot.objects.select_for_update().filter(pk=bot_id, deleted_at__isnull=True).first()
    if bot is None:
        raise HookError(f"Bot #{bot_id} does not exist.")
    return bot


def _live_hook(bot_id: int) -> SignalHook | None:
    return SignalHook.objects.filter(bot_id=bot_id, revoked_at__isnull=True).first()


def _issue(bot: Bot, *, enabled: bool = True) -> IssuedHook:
    clear = secrets.token_urlsafe(SECRET_BYTES)
    hook = SignalHook.objects.create(
        bot=bot,
        hook_id=secrets.token_urlsafe(HOOK_ID_BYTES),
        secret_encrypted=encrypt_secret(clear),
        enabled=enabled,
    )
    return IssuedHook(hook=hook, secret=clear)


def _audit(bot: Bot, field: str, before: str, after: str, who: Who) -> None:
    """The audit row of a webhook change (never its URL or secret: the URL is a credential)."""
    actor, actor_label = who
    audit_record(
        actor=actor, actor_label=actor_label, target=bot, field=field, before=before, after=after
    )


@transaction.atomic
def hook_create(
    *, bot_id: int, actor: User | None = None, actor_label: str | None = None
) -> IssuedHook:
    """A new hook for a bot that has none (rotate replaces a live one)."""
    bot = _lock_bot(bot_id)
    if _live_hook(bot.pk) is not None:
        raise HookError(f"Bot #{bot.pk} already has a webhook: rotate it for a new secret.")
    issued = _issue(bot)
    _audit(bot, "webhook", "none", "created", (actor, actor_label))
    return issued


@transaction.atomic
def hook_rotate(
    *, bot_id: int, actor: User | None = None, actor_label: str | None = None
) -> IssuedHook:
    """A new URL and secret; the old ones stop working at once. The on/off switch carries over
    (rotating a switched-off hook does not switch signals on)."""
    bot = _lock_bot(bot_id)
    now = timezone.now()
    live = _live_hook(bot.pk)
    if live is not None:
        live.revoked_at = live.rotated_at = now
        live.save(update_fields=["revoked_at", "rotated_at"])
    issued = _issue(bot, enabled=live is None or live.enabled)
    before = "live" if live is not None else "none"
    _audit(bot, "webhook", before, "rotated: a new URL and secret", (actor, actor_label))
    return issued


@transaction.atomic
def hook_revoke(
    *, bot_id: int, actor: User | None = None, actor_label: str | None = None
) -> SignalHook:
    bot = _lock_bot(bot_id)
    hook = _live_hook(bot.pk)
    if hook is None:
        raise HookError(f"Bot #{bot.pk} has no webhook to revoke.")
    hook.revoked_at = timezone.now()
    hook.save(update_fields=["revoked_at"])
    _audit(bot, "webhook", "live", "revoked", (actor, actor_label))
    return hook


@transaction.atomic
def hook_set_enabled(
    *, bot_id: int, enabled: bool, actor: User | None = None, actor_label: str | None = None
) -> SignalHook:
    """The on/off switch: while off, signals are recorded and rejected, never executed."""
    bot = _lock_bot(bot_id)
    hook = _live_hook(bot.pk)
    if hook is None:
        raise HookError(f"Bot #{bot.pk} has no webhook: create one first.")
    if hook.enabled != enabled:
        hook.enabled = enabled
        hook.save(update_fields=["enabled"])
        words = {True: "on", False: "off"}
        _audit(bot, "signals", words[not enabled], words[enabled], (actor, actor_label))
    return hook


_dummy: list[str] = []
# The live hook by its id, with its bot, in one compiled statement (egis.core.rows): a hook of
# a deleted bot or of a deactivated owner is not found, exactly as an unknown or revoked one
# (one answer for every kind of failure). As an ORM query it cost most of the receipt.
_USERS = get_user_model()._meta.db_table  # a table name from the model's metadata
_LIVE_OWNER = f"SELECT 1 FROM {_USERS} u WHERE u.id = b.owner_id AND u.is_active"  # noqa: S608
_LIVE_HOOK_WITH_BOT: RowPair[SignalHook, Bot] = RowPair(
    SignalHook,
    "bot",
    f"a.hook_id = %s AND a.revoked_at IS NULL AND b.deleted_at IS NULL AND EXISTS ({_LIVE_OWNER})",
)


def _dummy_token() -> str:
    if not _dummy:
        _dummy.append(encrypt_secret(_DUMMY_SECRET))
    return _dummy[0]


def _signature_ok(secret: str, header: str, body: bytes, now: float) -> bool:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, within SIGNATURE_TOLERANCE_S of now."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    stamp, given = parts.get("t", "").strip(), parts.get("v1", "").strip()
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(now - int(stamp)) <= SIGNATURE_TOLERANCE_S
    # Compared as bytes: compare_digest raises on a str with non-ASCII (a latin-1 header byte).
    given_bytes = given.lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), given_bytes) and fresh


def hook_authenticate(
    *, hook_id: str, body: bytes, parsed: Any, signature: str | None
) -> SignalHook:
    """The live hook this request may post to, or HookRefused. A signed request needs no secret
    in the body; an unsigned one needs `"secret"` in its JSON object."""
    found = _LIVE_HOOK_WITH_BOT.one(hook_id[:64])
    hook: SignalHook | None = None
    if found is not None:
        hook, bot = found
        hook.bot = bot
    usable = hook is not None
    # Decrypt something either way: an unknown hook must not answer measurably faster. Both
    # tokens are decrypted once per process, then found in the same in-memory map.
    token = hook.secret_encrypted if usable and hook is not None else _dummy_token()
    try:
        secret = decrypt_secret_kept(token)
    except SecretUnreadable:
        secret, usable = _DUMMY_SECRET, False
        if hook is None:
            _dummy.clear()  # the key changed since the dummy was encrypted: afresh next time
    if signature:
        ok = _signature_ok(secret, signature, body, time.time())
    else:
        given = parsed.get("secret") if isinstance(parsed, dict) else None
        # Compared as bytes in constant time; a non-string secret compares against nothing.
        ok = hmac.compare_digest(
            secret.encode(), given.encode("utf-8", "replace") if isinstance(given, str) else b""
        )
    if hook is None:
        raise HookRefused()
    if not usable:
        raise HookRefused(hook_pk=hook.pk, why="its secret cannot be read (the key changed)")
    if not ok:
        given_secret = isinstance(parsed, dict) and "secret" in parsed
        why = (
            "a bad or stale signature"
            if signature
            else "a wrong secret"
            if given_secret
            else "no secret in the message"
        )
        raise HookRefused(hook_pk=hook.pk, why=why)
    return hook


def hook_refusal_record(hook_pk: int, why: str) -> None:
    """Count a refused request on the hook its owner sees (one UPDATE, atomic alone)."""
    SignalHook.objects.filter(pk=hook_pk).update(
        refused_count=F("refused_count") + 1,
        last_refused_at=timezone.now(),
        last_refused_reason=why[:80],
    )
