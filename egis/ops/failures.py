"""Task failures, counted in the database so that `/metrics` on any web host sees every worker's."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from egis.ops.models import TaskFailure
from egis.ops.periodic import consumer_name

logger = logging.getLogger("egis.ops")


def task_failure_record(*, task: str, error: BaseException) -> None:
    """One row per failed job; never raises (the job that failed is already handling an error)."""
    try:
        TaskFailure.objects.create(
            task=task[:100], consumer=consumer_name(), error=type(error).__name__[:200]
        )
    except DatabaseError:
        logger.warning("could not record the failure of %s", task)
