from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating Egis on several hosts: periodic runs once per period, health, metrics, logs."""

    name = "egis.ops"
    label = "ops"

    def ready(self) -> None:
        from django.conf import settings

        from egis.ops.jobs import failures_connect, job_trace_connect

        failures_connect()
        if settings.EGIS_TRACE_JOBS:
            job_trace_connect()
