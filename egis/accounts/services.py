from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from egis.accounts.models import Role, User
from egis.audit.services import active_word, audit_record
from egis.core.errors import UserFacingError


class UserInputError(UserFacingError):
    pass


def user_create(*, username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    username = username.strip()
    if not username:
        raise UserInputError("a user name is required")
    if role not in Role.values:
        raise UserInputError(f"unknown role {role!r}: use admin or user")
    # "Bob" next to "bob" invites mistakes (and shares one login-throttle count): one per name.
    if User.objects.filter(username__iexact=username).exists():
        raise UserInputError(f"user {username!r} already exists")
    chosen = password or secrets.token_urlsafe(12)
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


def user_deactivate(*, user: User, actor: User) -> User:
    """A deactivated user cannot log in, sessions and tokens stop working; nothing is deleted."""
    if user.pk == actor.pk:
        raise UserInputError("you cannot deactivate yourself")
    return _set_active(user=user, actor=actor, active=False)


def user_activate(*, user: User, actor: User) -> User:
    """Let a deactivated user log in again."""
    return _set_active(user=user, actor=actor, active=True)


def _set_active(*, user: User, actor: User, active: bool) -> User:
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
