"""Our own id for an exit, written with its row before any venue call (like a client order id).

An exit Binance never received is placed again under an id derived from the one it lost:
`<first id>-r<attempt>` (egis.exits.binance_replace). Derived, not drawn: the replacement of an
exit can only ever be one row (the id is unique), and the attempt is read from the id itself.
"""

from __future__ import annotations

import re
import uuid

MAX_LEN = 36  # Binance's clientAlgoId limit
_ATTEMPT = re.compile(r"-r(\d+)$")


def new_client_algo_id(bot_id: int) -> str:
    # <= 36 chars of Binance's client id alphabet [.A-Z:/a-z0-9_-], unique, names its bot.
    return f"egx-{bot_id}-{uuid.uuid4().hex[:20]}"


def replacement_attempt(client_algo_id: str) -> int:
    """0 for an exit as it was set (or resized); n for its n-th automatic replacement."""
    found = _ATTEMPT.search(client_algo_id)
    return int(found.group(1)) if found else 0


def chain_root(client_algo_id: str) -> str:
    """The id the replacements of an exit share as a prefix (the first id, shortened only if
    a suffix would not fit in 36 characters)."""
    found = _ATTEMPT.search(client_algo_id)
    root = client_algo_id[: found.start()] if found else client_algo_id
    return root[: MAX_LEN - len("-r9")]


def replacement_client_algo_id(client_algo_id: str) -> str:
    """The id of the exit placed again in place of `client_algo_id` (never placed)."""
    suffix = f"-r{replacement_attempt(client_algo_id) + 1}"
    return f"{chain_root(client_algo_id)[: MAX_LEN - len(suffix)]}{suffix}"
