"""Who did something, in the viewer's terms: one rule for every list a trader reads (a bot's
settings history, its activity events).

- "You" for the viewer's own action;
- to an admin, the recorded name (with " (owner)" when it is the bot's owner);
- to anyone else, Egis itself ("system": the worker, a signal, recovery; "demo data") is "Egis",
  and any other person (an admin, the CLI's operator) is "An admin": another user's name is never
  shown to a trader.
"""

from __future__ import annotations

from egis.accounts.models import User

EGIS_LABELS = frozenset({"system", "demo data"})


def actor_words(actor_id: int | None, actor_label: str, *, viewer: User, owner_id: int) -> str:
    if actor_id is not None and actor_id == viewer.pk:
        return "You"
    if viewer.is_admin:
        owner = " (owner)" if actor_id is not None and actor_id == owner_id else ""
        return f"{actor_label}{owner}"
    if actor_id is None and actor_label in EGIS_LABELS:
        return "Egis"
    return "An admin"
