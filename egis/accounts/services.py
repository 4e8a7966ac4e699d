from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from egis.accounts.models import Role, User
from egis.core.errors import UserFacingError
from egis.core.inputs import USERNAME_MAX, InputError, parse_text


class UserInputError(UserFacingError):
    pass


def user_create(*, username: str, role: str, password: str | None = None) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    try:
        username = parse_text(username, field="user name", max_length=USERNAME_MAX)
    except InputError as exc:
        raise UserInputError(exc.message) from exc
    if password is not None and "\x00" in password:
        raise UserInputError("a password must not contain NUL characters")
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
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.save(update_fields=["role", "is_staff"])
    return user


def user_deactivate(*, user: User, actor: User) -> User:
    """A deactivated user cannot log in, sessions and tokens stop working; nothing is deleted."""
    if user.pk == actor.pk:
        raise UserInputError("you cannot deactivate yourself")
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user
