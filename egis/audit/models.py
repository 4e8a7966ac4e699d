from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One change of one field of one object, written in the transaction that made the change.

    `actor_label` keeps the name as it was (a user renamed or deleted later still reads right;
    the CLI, which has no Egis login, writes `cli:<os user>`). Values are the field's text form:
    money as an exact decimal string, flags as words.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=160)
    object_type = models.CharField(max_length=16)  # "bot" | "user"
    object_id = models.BigIntegerField()
    object_label = models.CharField(max_length=160)
    field = models.CharField(max_length=32)
    before = models.TextField(blank=True, default="")
    after = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "audit_entries"
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_by_object"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label}: {self.object_type} #{self.object_id} {self.field}"
