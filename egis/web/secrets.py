"""The one shape in which a page receives a secret to show once (the secret dialog)."""

from __future__ import annotations

from typing import Any


def secret_prop(*, title: str, description: str, items: list[tuple[str, str]]) -> dict[str, Any]:
    """Props for frontend/components/secret-dialog.tsx: it stays open until dismissed.

    Only ever in the one answer to the action that made the secret: never in the session, the
    messages cookie or a redirect.
    """
    return {
        "title": title,
        "description": description,
        "items": [{"label": label, "value": value} for label, value in items],
    }
