"""The grammar of a notification channel: a Telegram bot token and chat id, a webhook URL and
the chosen events. Each parser returns a clean value or raises InputError naming the field."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings

from egis.core.inputs import InputError, parse_text
from egis.notifications.events import EVENT_KINDS

# "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11" (Telegram Bot API, "Authorizing your bot").
_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
# A numeric chat id (negative for groups and channels) or a public channel's @username.
_CHAT = re.compile(r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}")
URL_MAX = 500


def parse_telegram_token(raw: object, *, field: str = "telegram_token") -> str:
    text = parse_text(raw, field=field, max_length=130)
    if not _TOKEN.fullmatch(text):
        # Never echo the value: it is a credential.
        raise InputError(
            f"{field} is not a Telegram bot token (digits, ':', then letters, digits, - and _, "
            "as @BotFather gives it)",
            field=field,
        )
    return text


def parse_telegram_chat(raw: object, *, field: str = "telegram_chat_id") -> str:
    text = parse_text(raw, field=field, max_length=40)
    if not _CHAT.fullmatch(text):
        raise InputError(
            f"{field} must be a numeric chat id (e.g. 123456789 or -1001234567890) or a channel "
            "@username",
            field=field,
        )
    return text


_LIKE = "write it like https://example.com/egis"
_HOST_NAME = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?"
)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def parse_webhook_url(raw: object, *, field: str = "webhook_url") -> str:
    """An http(s) address Egis may post to. What is not a web address at all is told so first
    ("not a web address"), before whether it is public."""
    text = parse_text(raw, field=field, max_length=URL_MAX)
    if not text.isascii() or any(c in text for c in " <>\"'\\"):
        raise InputError(
            f"{field} is not a web address (a web address has no spaces or quotes): {_LIKE}",
            field=field,
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"{field} is not a web address: {_LIKE}", field=field) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"{field} is not a web address: it must start with https:// (or http://) and name "
            f"a host; {_LIKE}",
            field=field,
        )
    host = parts.hostname
    if not _is_ip(host) and not _HOST_NAME.fullmatch(host):
        raise InputError(
            f"{field} is not a web address: {host} is not a host name; {_LIKE}", field=field
        )
    if parts.username or parts.password:
        raise InputError(f"{field} must not carry a user name or password", field=field)
    if port == 0:
        raise InputError(f"{field} has an invalid port", field=field)
    private_ok = settings.EGIS_WEBHOOK_ALLOW_PRIVATE
    if not private_ok and not _is_ip(host) and "." not in host and host != "localhost":
        raise InputError(
            f"{field} is not a web address on the internet: {host} has no domain (like "
            "example.com)",
            field=field,
        )
    if not private_ok and not is_public_host(host):
        raise InputError(
            f"{field} must be a public address (this installation does not post to local or "
            "private networks)",
            field=field,
        )
    return text


def is_public_host(host: str) -> bool:
    """False for a literal private, loopback or link-local address or a local name. Names are
    resolved again at each delivery (egis.notifications.transports)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(name).is_global
    except ValueError:
        return "." in name  # a bare name resolves on the local network only


def parse_events(raw: object, *, field: str = "events") -> list[str]:
    """A list of event kinds (JSON), or one comma-separated string (a form, the CLI). Unknown
    kinds are refused; the order is the catalogue's; an empty list turns every event off."""
    if isinstance(raw, str):
        items: list[object] = [p.strip() for p in raw.split(",") if p.strip()]
    elif isinstance(raw, list):
        items = list(raw)
    elif raw is None:
        items = []
    else:
        raise InputError(f"{field} must be a list of event names", field=field)
    if len(items) > len(EVENT_KINDS):
        raise InputError(f"{field} has at most {len(EVENT_KINDS)} entries", field=field)
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str) or item not in EVENT_KINDS:
            shown = item if isinstance(item, str) and item.isprintable() and len(item) < 40 else "?"
            raise InputError(
                f"{field}: unknown event {shown!r} (known: {', '.join(EVENT_KINDS)})", field=field
            )
        chosen.add(item)
    return [kind for kind in EVENT_KINDS if kind in chosen]
