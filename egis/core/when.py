"""A moment in a sentence for people, as the pages show it: "27 Nov, 00:19 UTC".

The pages format times with `formatDateTime` (frontend/lib/utils.ts): en-GB, day and month,
24-hour clock, in UTC, no year, and a no-break space before "UTC" so the clock and its zone never
part at a line's end. A server text that names a moment (a refusal, a halt, an incident's
explanation) is read beside those figures, so it uses the same form, from this one helper.
Machine fields (JSON timestamps, `*_at`) stay ISO 8601.
"""

from __future__ import annotations

from datetime import UTC, datetime

# The en-GB short month names as browsers' Intl gives them (CLDR): "Sept", not "Sep".
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")
UTC_SUFFIX = "\u00a0UTC"


def when_text(at: datetime) -> str:
    """ "27 Nov, 00:19 UTC" (the last space a no-break one). A naive datetime is taken as UTC
    (Django's zone for stored times)."""
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return f"{utc.day:02d} {_MONTHS[utc.month - 1]}, {utc.hour:02d}:{utc.minute:02d}{UTC_SUFFIX}"


def when_text_of(iso: object) -> str | None:
    """`when_text` of an ISO 8601 string from a payload; None when it is not one."""
    if not isinstance(iso, str) or not iso:
        return None
    try:
        return when_text(datetime.fromisoformat(iso))
    except ValueError:
        return None
