"""Small query helpers shared by the services."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def one_or_none(qs: QuerySet[M]) -> M | None:
    """The row a primary-key or unique filter selects, or None; never raises on "not found".

    Unlike `.first()` it adds no `ORDER BY id`: a unique lookup needs none, and on the order
    pipeline's hot path compiling that clause cost more than SQLite took to run the query.
    """
    rows = list(qs[:1])
    return rows[0] if rows else None
