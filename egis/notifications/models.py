"""Notifications: a person's channels (a Telegram chat, an outgoing webhook) and the outbox.

A `Delivery` row is written in the transaction of what it tells (a fill, an incident), so a
notification exists exactly when its event does; the worker sends it later, never the request.
The same rows are the person's delivery log: status, attempts, the last error.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NotificationSettings(models.Model):
    """One row per person. The Telegram bot token and the webhook secret are kept encrypted
    (egis.venues.secrets, like exchange secrets); the token is never shown again, the secret
    only once, when it is made."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    telegram_token_encrypted = models.TextField(blank=True, default="")
    telegram_chat_id = models.CharField(max_length=64, blank=True, default="")
    webhook_url = models.CharField(max_length=500, blank=True, default="")
    webhook_secret_encrypted = models.TextField(blank=True, default="")
    events = models.JSONField(
        default=list, blank=True
    )  # event kinds chosen (egis.notifications.events)
    # Telegram allows about one message per second per chat: the earliest time of the next one
    # (after a 429, the time its retry_after names).
    telegram_next_send_at = models.DateTimeField(null=True, blank=True)
    # Set (compare-and-set) by the first event that wakes the worker, cleared by the worker when
    # it starts: a burst of events enqueues one task, not one each.
    wake_pending = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_settings"

    def __str__(self) -> str:
        return f"notification settings of user #{self.user_id}"

    @property
    def telegram_on(self) -> bool:
        return bool(self.telegram_token_encrypted and self.telegram_chat_id)

    @property
    def webhook_on(self) -> bool:
        return bool(self.webhook_url and self.webhook_secret_encrypted)


ERROR_MAX = 500


class Delivery(models.Model):
    """One message to one channel: the outbox row and the delivery log entry."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    event_kind = models.CharField(max_length=32)
    bot_id = models.BigIntegerField(null=True, blank=True)  # kept after the bot is deleted
    payload = models.JSONField(default=dict, blank=True)
    # Set by the caller for events that could be told twice (a fill of one order): the database
    # keeps one row per person, channel and key.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)
    status = models.CharField(
        max_length=7, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)  # a worker's lease
    last_error = models.CharField(max_length=ERROR_MAX, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notification_deliveries"
        indexes = [
            models.Index(fields=["user", "-id"], name="notif_deliveries_by_user"),
            models.Index(
                fields=["next_attempt_at"],
                name="notif_deliveries_due",
                condition=models.Q(status="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notif_deliveries_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="notif_deliveries_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="notif_deliveries_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} delivery #{self.pk} ({self.status})"
