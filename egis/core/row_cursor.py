"""How the row statements of egis.core.rows reach the database: one cursor per connection, and
on SQLite the driver's own cursor when nothing needs to see the statement.

Django's cursor costs about 25 µs of Python per statement (its wrapper layers, then a regular
expression that rewrites `%s` placeholders to SQLite's `?`), more than SQLite takes to answer a
primary-key read. A row statement's SQL never changes, so its `?` form is made once, by Django's
own conversion (`SQLiteCursorWrapper.convert_query`), and the statement runs on the driver's
cursor when all of these hold, checked on every statement:

- the connection is Django's SQLite backend with Django's own cursor (nothing to bypass but the
  placeholder rewrite and the layers below);
- no query is being logged (`connection.queries_logged`: DEBUG, or a test's query capture,
  which forces the debug cursor), so logging and query counts still see every statement;
- no `execute_wrappers` are installed (they wrap Django's cursor only).

What Django's cursor does for a statement is still done: the connection is opened (and
health-checked) through Django before its first statement, a statement inside a broken atomic
block is refused (`validate_no_broken_transaction`), and driver errors, from the execution or
the fetch, become Django's classes (`IntegrityError`, `OperationalError`...) through the
connection's own `wrap_database_errors`, which also flags errors that may make the connection
unusable. Otherwise the statement goes through Django's cursor as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.backends.sqlite3.base import SQLiteCursorWrapper

from egis.core.sqlite_backend.base import DatabaseWrapper as GatedDatabaseWrapper

# Django's SQLite cursor, and egis's backend's (the same with the writers' gate, which the
# driver's cursor of that backend keeps too: egis.core.sqlite_backend).
_OWN_CURSORS = (SQLiteDatabaseWrapper.create_cursor, GatedDatabaseWrapper.create_cursor)

# What a statement returns: its rows (read to the end), the rows it changed, or the new row's id.
ROWS, ROWCOUNT, LASTROWID = 0, 1, 2


class _ReusedCursor:
    """One Django cursor per open database connection, reused by every row statement, with the
    driver's own cursor of the same connection for the fast path (SQLite only).

    Opening and closing a cursor per statement cost as much Python as running the statement. The
    Django cursor is a CursorWrapper: execute_wrappers, error translation and the transaction
    state all apply. Both are dropped whenever the connection behind them changes (closed,
    reconnected, health-checked), and the reused one is never used while queries are being
    logged, so the debug cursor (tests' query capture, DEBUG) still sees every statement. Every
    statement is read to its end (fetchall), so none is left active on a shared cursor.
    """

    __slots__ = ("cursor", "driver", "raw")

    def __init__(self, raw: Any, cursor: Any, driver: Any) -> None:
        self.raw = raw
        self.cursor = cursor
        self.driver = driver

    def __enter__(self) -> Any:
        return self.cursor

    def __exit__(self, *exc: object) -> None:
        return None


def _reused(connection: Any) -> _ReusedCursor:
    reused: _ReusedCursor | None = getattr(connection, "_egis_row_cursor", None)
    raw = connection.connection
    if reused is not None and raw is not None and reused.raw is raw:
        return reused
    cursor = connection.cursor()  # connects (and health-checks) if needed
    raw = connection.connection
    driver = None
    if fast_capable(connection):
        with connection.wrap_database_errors:
            driver = raw.cursor()
    reused = _ReusedCursor(raw, cursor, driver)
    connection._egis_row_cursor = reused
    return reused


def django_cursor(connection: Any) -> Any:
    """A Django cursor for one statement, as a context manager: the debug cursor (a new one,
    closed after) while queries are logged, else the connection's reused cursor."""
    if connection.queries_logged:
        return connection.cursor()
    return _reused(connection)


def fast_capable(connection: Any) -> bool:
    """Whether statements on `connection` may ever take the driver's cursor: Django's SQLite
    backend with Django's own cursor class."""
    return (
        isinstance(connection, SQLiteDatabaseWrapper)
        and type(connection).create_cursor in _OWN_CURSORS
        and type(connection).make_cursor is SQLiteDatabaseWrapper.make_cursor
    )


def qmark(sql: str) -> str:
    """`sql` with its `%s` placeholders as SQLite's `?` (and `%%` as `%`), exactly as Django's
    SQLite cursor rewrites it on every execution."""
    converted: str = SQLiteCursorWrapper.convert_query(None, sql)  # type: ignore[arg-type]
    return converted


def run(
    connection: Any, sql: str, sql_qmark: str | None, params: Sequence[Any], result: int
) -> Any:
    """Execute `sql` (Django's `%s` form) with `params` and return what `result` names.

    `sql_qmark` is its `?` form (see `qmark`), None where the driver's cursor must not be used."""
    if sql_qmark is not None and not connection.execute_wrappers and not connection.queries_logged:
        driver = _reused(connection).driver
        if driver is not None:
            connection.validate_no_broken_transaction()
            try:
                driver.execute(sql_qmark, params)
                if result == ROWS:
                    return driver.fetchall()
                return driver.rowcount if result == ROWCOUNT else driver.lastrowid
            except Exception:
                with connection.wrap_database_errors:  # Django's class for a driver error
                    raise
    with django_cursor(connection) as cursor:
        cursor.execute(sql, params)
        if result == ROWS:
            return cursor.fetchall()
        return cursor.rowcount if result == ROWCOUNT else cursor.lastrowid
