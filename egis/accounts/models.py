from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


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
