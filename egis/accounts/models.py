from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    USER = "user", "User"


class User(AbstractUser):
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.USER)

    class Meta:
        db_table = "users"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="users_role_valid"
            ),
        ]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class ApiToken(models.Model):
    """A per-user API token for `Authorization: Bearer ...`.

    The clear token is `egis_<prefix>_<secret>` and exists only in the answer that created it.
    The database keeps the public `prefix` (the lookup key) and the SHA-256 of the whole token:
    the secret carries 256 random bits, so a fast hash is enough (nothing to brute-force) and a
    stolen database yields no usable token.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True, default="")
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)  # sha256 hex of the full clear token
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_tokens"
        indexes = [models.Index(fields=["user", "-id"], name="api_tokens_by_user")]
        constraints = [
            # A clear token (longer, with underscores) can never be stored by mistake.
            models.CheckConstraint(
                condition=Exact(Length("token_hash"), 64), name="api_tokens_hash_is_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"token {self.prefix} of user #{self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
