"""What the workers did: one row per periodic run (at most one per task and period), task
failures, and (when EGIS_TRACE_JOBS is on) every queued job's enqueue, start and finish."""

from __future__ import annotations

from django.db import models


class PeriodicOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Ok"
    FAILED = "failed", "Failed"


class PeriodicRun(models.Model):
    """The claim of one period of one periodic task. Every consumer's scheduler enqueues every
    periodic task; the first to insert the (task, period) row runs it, the others skip. A run whose
    consumer died stays `running`: that period is not run again (the next one is)."""

    task = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    consumer = models.CharField(max_length=120)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=8, choices=PeriodicOutcome.choices, default=PeriodicOutcome.RUNNING
    )

    class Meta:
        db_table = "ops_periodic_runs"
        constraints = [
            models.UniqueConstraint(fields=["task", "period_start"], name="ops_periodic_once"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=PeriodicOutcome.values),
                name="ops_periodic_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} @ {self.period_start:%Y-%m-%d %H:%M} by {self.consumer}"


class TaskFailure(models.Model):
    """A worker job that raised (the job itself logs and carries on; this row is what the
    `egis_task_failures_total` metric counts, whichever host it happened on)."""

    task = models.CharField(max_length=100)
    consumer = models.CharField(max_length=120)
    error = models.CharField(max_length=200)  # the exception's class name only: no data in it
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ops_task_failures"
        indexes = [models.Index(fields=["task"], name="ops_task_failures_by_task")]


class JobRun(models.Model):
    """One queued job, traced from enqueue to finish (EGIS_TRACE_JOBS=1, for `make scale-check`):
    `starts` > 1 would be a job executed twice; `starts` = 0 after the queue drained, a job lost."""

    task_id = models.CharField(max_length=64, unique=True)
    task = models.CharField(max_length=100)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    starts = models.PositiveIntegerField(default=0)
    finishes = models.PositiveIntegerField(default=0)
    started_by = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        db_table = "ops_job_runs"

    def __str__(self) -> str:
        return f"{self.task} {self.task_id} ({self.starts}/{self.finishes})"
