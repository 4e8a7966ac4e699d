"""The logging configuration (`settings.LOGGING`): one console handler with the request's
context on every line, in plain text or JSON lines, and the loggers quieted or filtered."""

from __future__ import annotations

import os
from typing import Any


def logging_config(*, json_lines: bool) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "egis.ops.logs.ContextFilter"},
            # A 403 (or any refusal) is one warning line, not a traceback (egis.ops.logs).
            "refusals": {"()": "egis.ops.logs.ExpectedRefusalFilter"},
        },
        "formatters": {
            "plain": {
                "()": "egis.ops.logs.PlainFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
            "json": {"()": "egis.ops.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "plain",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("EGIS_LOG_LEVEL", "INFO")},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django.request": {"filters": ["refusals"]},
            # Requests Django refuses as suspicious (a Host not allowed, too many fields, a body too
            # big, a bad multipart or session) are a client's 400: one warning line each, on the
            # logger Django names after the exception (a filter on a parent logger would not see
            # them), never an ERROR with a traceback.
            **{
                f"django.security.{name}": {"filters": ["refusals"]}
                for name in (
                    "DisallowedHost",
                    "DisallowedRedirect",
                    "RequestDataTooBig",
                    "SuspiciousFileOperation",
                    "SuspiciousMultipartForm",
                    "SuspiciousSession",
                    "TooManyFieldsSent",
                    "TooManyFilesSent",
                )
            },
            # httpx logs every request URL at INFO; a signed Binance URL has no secret but a
            # signature and timestamp that have no business in a log.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
            # The worker's own lines in our format (run_huey adds a second handler of its own to
            # the "huey" logger unless it already has one: every line was written twice).
            # Huey's per-task INFO lines ("Added task ...", "Executing ...", "... executed in ...",
            # on the "huey" logger; "Enqueueing periodic task ..." on its scheduler's) came about
            # one a second in `make run`, burying the warnings: quiet. Its warnings and errors stay,
            # and so does the consumer's start-up line ("huey.consumer").
            "huey": {
                "handlers": ["console"],
                "level": os.environ.get("EGIS_HUEY_LOG_LEVEL", "WARNING"),
                "propagate": False,
            },
            "huey.consumer": {"level": os.environ.get("EGIS_LOG_LEVEL", "INFO")},
            "huey.consumer.Scheduler": {"level": os.environ.get("EGIS_HUEY_LOG_LEVEL", "WARNING")},
        },
    }
