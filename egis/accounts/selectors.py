"""Reads of people: by name, by id, and the admin's list."""

from __future__ import annotations

from django.db.models import Count, Q

from egis.accounts.models import User


def user_by_username(username: str, *, active_only: bool = False) -> User | None:
    qs = User.objects.filter(username=username)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.first()


def user_find(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def users_with_bot_counts() -> list[tuple[User, int]]:
    """Every user by name, each with the count of their bots that are not deleted (one query)."""
    rows = User.objects.order_by("username").annotate(
        bot_count=Count("bots", filter=Q(bots__deleted_at__isnull=True))
    )
    return [(user, user.bot_count) for user in rows]
