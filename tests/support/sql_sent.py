"""The SQL a piece of code sends, as the database receives it (an execute wrapper: every
statement goes through Django's cursor while it is installed, egis.core.row_cursor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection


def sql_sent(fn: Callable[[], Any]) -> list[str]:
    sent: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return sent
