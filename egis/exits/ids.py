"""Our own id for an exit, written with its row before any venue call (like a client order id)."""

from __future__ import annotations

import uuid


def new_client_algo_id(bot_id: int) -> str:
    # <= 36 chars of Binance's client id alphabet [.A-Z:/a-z0-9_-], unique, names its bot.
    return f"egx-{bot_id}-{uuid.uuid4().hex[:20]}"
