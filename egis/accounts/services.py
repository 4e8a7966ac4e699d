"""Writes on users: create, role, activation, passwords and the login lock.

Every function that an admin triggers takes the admin as keyword `actor` (None: the operator at
the command line, who has no Egis login). These are the points where an audit row (who, before,
after, when) is written, so that every role or activation change, password reset and unlock
is traceable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from egis.accounts import throttle
from egis.accounts.models import ApiToken, Role, User
from egis.accounts.tokens import token_create
from egis.audit.services import active_word, audit_record
from egis.core.errors import UserFacingError
from egis.core.inputs import USERNAME_MAX, InputError, parse_password, parse_text
from egis.core.when import when_text


class UserInputError(UserFacingError):
    pass


class WrongCurrentPassword(UserInputError):
    """Counted by the login throttle: a stolen session must not become a password oracle."""


def _generated_password() -> str:
    # 96 random bits, URL-safe: passes every validator and survives copy and paste.
    return secrets.token_urlsafe(12)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise UserInputError("only an admin can do this")


def user_create(*, username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    try:
        username = parse_text(username, field="user name", max_length=USERNAME_MAX)
    except InputError as exc:
        raise UserInputError(exc.message) from exc
    if password is not None:
        try:
            password = parse_password(password)
        except InputError as exc:
            raise UserInputError(exc.message) from exc
    if role not in Role.values:
        raise UserInputError(f"unknown role {role!r}: use admin or user")
    # "Bob" next to "bob" invites mistakes (and shares one login-throttle count): one per name.
    if User.objects.filter(username__iexact=username).exists():
        raise UserInputError(f"user {username!r} already exists")
    chosen = password or _generated_password()
    candidate = User(username=username, role=role)
    try:
        validate_password(chosen, candidate)
    except ValidationError as exc:
        raise UserInputError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        candidate.set_password(chosen)
        candidate.is_staff = role == Role.ADMIN
        candidate.save()
    return candidate, chosen


def user_set_role(*, user: User, role: str, actor: User) -> User:
    if role not in Role.values:
        raise UserInputError(f"unknown role {role!r}: use admin or user")
    if user.pk == actor.pk:
        raise UserInputError("you cannot change your own role")
    with transaction.atomic():
        was = User.objects.select_for_update().values_list("role", flat=True).get(pk=user.pk)
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.save(update_fields=["role", "is_staff"])
        if was != role:
            audit_record(actor=actor, target=user, field="role", before=was, after=role)
    return user


def user_deactivate(*, user: User, actor: User | None) -> User:
    """A deactivated user cannot log in, sessions and tokens stop working; nothing is deleted.
    `actor` None: the operator at the command line."""
    _require_admin(actor)
    if actor is not None and user.pk == actor.pk:
        raise UserInputError("you cannot deactivate yourself")
    return _set_active(user=user, actor=actor, active=False)


def user_activate(*, user: User, actor: User | None) -> User:
    """Let a deactivated user log in again (their tokens and webhooks work again)."""
    _require_admin(actor)
    if user.is_active:
        raise UserInputError(f"{user.username} is active already")
    return _set_active(user=user, actor=actor, active=True)


def _set_active(*, user: User, actor: User | None, active: bool) -> User:
    with transaction.atomic():
        was = User.objects.select_for_update().values_list("is_active", flat=True).get(pk=user.pk)
        user.is_active = active
        user.save(update_fields=["is_active"])
        if was != active:
            audit_record(
                actor=actor,
                target=user,
                field="is_active",
                before=active_word(was),
                after=active_word(active),
            )
    return user


def user_unlock(*, user: User, actor: User | None) -> int:
    """Lift the login lock of `user` from every address; returns the failures it dropped.
    A user who is not locked is refused in words (nothing to lift, nothing audited)."""
    _require_admin(actor)
    dropped = throttle.failures_anywhere(username=user.username)
    if not throttle.maybe_locked(username=user.username):
        raise UserInputError(
            f"{user.username} is not locked: {dropped} failed login"
            f"{'' if dropped == 1 else 's'} lately, "
            f"below the limit of {settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT}"
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_label=None if actor is not None else "cli",
            target=user,
            field="login_lock",
            before=f"{dropped} recent failed logins",
            after="unlocked",
        )
    throttle.unlock(username=user.username)
    return dropped


@dataclass(frozen=True)
class PasswordReset:
    user: User
    password: str  # clear, generated: shown once to the admin, never stored
    token: ApiToken
    raw_token: str  # clear, shown once with the password


def user_password_reset(*, user: User, actor: User | None) -> PasswordReset:
    """Give `user` a generated password and a new API token (both returned once, in clear).

    Their browser sessions end (Django checks a hash of the password on every request); their
    other API tokens keep working (revoke them on their Settings page or with `egis token
    revoke`). The login lock is lifted, so the new password works at once.
    """
    _require_admin(actor)
    if actor is not None and user.pk == actor.pk:
        raise UserInputError("change your own password on the Settings page")
    if not user.is_active:
        raise UserInputError(
            f"{user.username} is deactivated: a new password would not let them in"
        )
    password = _generated_password()
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        token, raw = token_create(user=user, name=f"reset {when_text(timezone.now())}")
        # The values are secrets: the trail says that it happened, never what they are.
        audit_record(
            actor=actor,
            actor_label=None if actor is not None else "cli",
            target=user,
            field="password",
            before="(hidden)",
            after=f"reset; new API token {token.prefix}…",
        )
    throttle.unlock(username=user.username)
    return PasswordReset(user=user, password=password, token=token, raw_token=raw)


def user_password_change(*, user: User, current: str, new: str, confirm: str) -> User:
    """A person changes their own password: the current one, then the new one twice."""
    try:
        current = parse_password(current, field="current password")
        new = parse_password(new, field="new password")
        confirm = parse_password(confirm, field="password confirmation")
    except InputError as exc:
        raise UserInputError(exc.message) from exc
    if not user.check_password(current):
        raise WrongCurrentPassword("the current password is wrong")
    if new != confirm:
        raise UserInputError("the new password and its confirmation differ")
    if new == current:
        raise UserInputError("the new password is the same as the current one")
    try:
        validate_password(new, user)
    except ValidationError as exc:
        raise UserInputError(" ".join(exc.messages)) from exc
    user.set_password(new)
    user.save(update_fields=["password"])
    return user
