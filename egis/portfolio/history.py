"""The bot page's closed list without reading the history: its count is the maintained closed
count (egis.portfolio.totals) plus the bot's cancelled rows (opens that filled nothing: few, read
through the index on bot + status), so a year of closes does not slow the page."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

from egis.ledger.models import Position, PositionStatus


def closed_list_count(bot_id: int, kept_closed: int) -> int:
    """Rows of the closed list (not open, not archived): the kept closed count (closed, not
    archived) plus the cancelled rows that are not archived."""
    cancelled = Position.objects.filter(
        bot_id=bot_id, status=PositionStatus.CANCELLED, archived_at__isnull=True
    ).count()
    return kept_closed + cancelled


class CountedPaginator(Paginator):
    """A paginator told its count (Django's asks the database for COUNT(*) over the list)."""

    def __init__(self, object_list: Sequence[Any] | Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
