"""Signals: instructions from outside (a TradingView alert, a script) for one bot.

A signal is data first: its row is committed before the sender hears an answer, and the
database refuses a second row with the same dedupe key for the bot. Execution happens later, in
the worker, through the one order pipeline; the orders a signal causes carry the idempotency key
`sig<signal id>-<step>` (unique per bot in `orders`), which is how they link back to it.
"""

from __future__ import annotations

from django.db import models


class SignalHook(models.Model):
    """A bot's webhook: an unguessable id in the URL and a secret (encrypted at rest) that the
    body carries or that signs it. One live hook per bot; revoked hooks are kept for the record."""

    bot = models.ForeignKey("bots.Bot", on_delete=models.PROTECT, related_name="signal_hooks")
    hook_id = models.CharField(max_length=64, unique=True)
    secret_encrypted = models.TextField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Requests to this live hook that failed authentication (a wrong secret, a bad or stale
    # signature), shown to its owner only (egis.signals.hooks.hook_refusal_record): an alert
    # that never trades is otherwise silent, since the sender gets the one answer for all.
    refused_count = models.PositiveIntegerField(default=0)
    last_refused_at = models.DateTimeField(null=True, blank=True)
    last_refused_reason = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        db_table = "signal_hooks"
        constraints = [
            models.UniqueConstraint(
                fields=["bot"],
                condition=models.Q(revoked_at__isnull=True),
                name="signal_hooks_one_live_per_bot",
            ),
        ]

    def __str__(self) -> str:
        return f"hook of bot #{self.bot_id}"


REASON_MAX = 500  # one line: why a signal ended as it did


class SignalStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    EXECUTING = "executing", "Executing"
    EXECUTED = "executed", "Executed"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    DUPLICATE = "duplicate", "Duplicate"


FINAL_SIGNAL_STATUSES = (
    SignalStatus.EXECUTED,
    SignalStatus.REJECTED,
    SignalStatus.FAILED,
    SignalStatus.DUPLICATE,
)


class Signal(models.Model):
    bot = models.ForeignKey(
        "bots.Bot", on_delete=models.PROTECT, related_name="signals", db_index=False
    )
    hook = models.ForeignKey(SignalHook, on_delete=models.PROTECT, related_name="signals")
    received_at = models.DateTimeField()
    body = models.JSONField(default=dict, blank=True)  # as sent, without the secret
    action = models.JSONField(default=dict, blank=True)  # the parsed instruction
    sender_id = models.CharField(max_length=128, blank=True, default="")
    # `id:<sender id>` (hashed when long), or `body:<sha256>` without an id (retired after 24 h).
    dedupe_key = models.CharField(max_length=120)
    status = models.CharField(
        max_length=9, choices=SignalStatus.choices, default=SignalStatus.QUEUED
    )
    reason = models.CharField(max_length=REASON_MAX, blank=True, default="")
    # The reason's machine code ("stale", "not_enough_budget", "max_open_positions"...; "" for
    # none), stored by the writer that knows it (egis.signals.reason_words.reason_code).
    reason_code = models.CharField(max_length=40, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a worker took it
    # Which worker process took it (egis.ops.worker_start.worker_identity; "" before 0004): a
    # worker starting resumes at once only the claims of a process known to be dead.
    claimed_by = models.CharField(max_length=200, blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "signals"
        indexes = [
            models.Index(fields=["bot", "-id"], name="signals_by_bot"),
            # The Bots list's "last signal acted" (egis.signals.selectors.last_signal_acted): one
            # seek per bot to its newest executed signal, never a walk over its every signal.
            models.Index(fields=["bot", "status", "processed_at"], name="signals_acted_by_bot"),
            models.Index(
                fields=["bot", "id"],
                name="signals_pending_by_bot",
                condition=models.Q(status__in=["queued", "executing"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["bot", "dedupe_key"], name="signals_dedupe_per_bot"),
            models.CheckConstraint(
                condition=models.Q(status__in=SignalStatus.values), name="signals_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"signal #{self.pk} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_SIGNAL_STATUSES
