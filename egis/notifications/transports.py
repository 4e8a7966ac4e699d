"""The two ways out: Telegram's sendMessage and a signed webhook POST, on httpx.

Each returns an Outcome and never raises. Nothing here logs or returns the bot token (it is part
of the Telegram URL) or the webhook secret: error texts are built from status codes and the
receiver's own words, with the token scrubbed from them all the same.

Telegram Bot API (https://core.telegram.org/bots/api): `POST <base>/bot<token>/sendMessage` with
`chat_id` (integer or `@channelusername`) and `text` (1-4096 characters); the answer is a JSON
object with `ok`, and on failure `error_code`, `description` and optional `parameters`, whose
`retry_after` is "the number of seconds left to wait before the request can be repeated" after
flood control (HTTP 429). The Bot FAQ asks for at most about one message per second per chat.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

RETRY_AFTER_MAX_S = 3600


@dataclass(frozen=True)
class Outcome:
    sent: bool
    error: str = ""
    permanent: bool = False  # retrying cannot help (bad token, chat not found, 4xx)
    retry_after_s: float | None = None  # the receiver said when to try again


SENT = Outcome(sent=True)


def scrub(text: str, *secrets_: str) -> str:
    for secret in secrets_:
        if secret:
            text = text.replace(secret, "•••")
    return text


def _retry_after(value: Any) -> float | None:
    try:
        seconds = float(str(value))
    except (TypeError, ValueError):
        return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 1.0), RETRY_AFTER_MAX_S)


def _transport_error(who: str, exc: httpx.HTTPError) -> Outcome:
    if isinstance(exc, httpx.TimeoutException):
        return Outcome(
            sent=False, error=f"{who} did not answer within {settings.EGIS_NOTIFY_TIMEOUT_S:g} s"
        )
    return Outcome(sent=False, error=f"{who} unreachable ({type(exc).__name__})")


def telegram_send(client: httpx.Client, *, token: str, chat_id: str, text: str) -> Outcome:
    base = settings.EGIS_TELEGRAM_API_BASE.rstrip("/")
    chat: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
    body = {"chat_id": chat, "text": text, "disable_web_page_preview": True}
    try:
        response = client.post(
            f"{base}/bot{token}/sendMessage", json=body, timeout=settings.EGIS_NOTIFY_TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        return _transport_error("Telegram", exc)
    try:
        data = response.json()
    except ValueError:
        data = None
    data = data if isinstance(data, dict) else {}
    if response.status_code == 200 and data.get("ok") is True:
        return SENT
    description = scrub(str(data.get("description") or response.reason_phrase)[:300], token)
    error = f"Telegram {response.status_code}: {description}"
    if response.status_code == 429:
        params = data.get("parameters")
        wait = _retry_after(params.get("retry_after") if isinstance(params, dict) else None)
        wait = wait or _retry_after(response.headers.get("Retry-After")) or 1.0
        return Outcome(sent=False, error=error, retry_after_s=wait)
    # 400 chat not found, 401 bad token, 403 blocked by the user, 404 no such bot: a retry
    # sends the same request to the same answer.
    return Outcome(sent=False, error=error, permanent=response.status_code in (400, 401, 403, 404))


def signature_header(secret: str, body: bytes, *, at: int | None = None) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`: the scheme the inbound signal webhook
    accepts (egis.signals.hooks), so one verifier serves both directions."""
    stamp = str(int(time.time()) if at is None else at)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def _private_address(url: str) -> str:
    """Unless private addresses are allowed, refuse a URL whose host resolves to one (checked
    at delivery too: a public name can be pointed somewhere else after it was saved)."""
    if settings.EGIS_WEBHOOK_ALLOW_PRIVATE:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return "webhook host does not resolve"
    for info in infos:
        if not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global:
            return "webhook host resolves to a private address: refused"
    return ""


def webhook_post(
    client: httpx.Client, *, url: str, secret: str, body: bytes, event: str, delivery_id: int
) -> Outcome:
    refused = _private_address(url)
    if refused:
        return Outcome(sent=False, error=refused, permanent=True)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Egis-Notifications/1",
        "X-Egis-Event": event,
        "X-Egis-Delivery": str(delivery_id),
        "X-Egis-Signature": signature_header(secret, body),
    }
    try:
        response = client.post(
            url, content=body, headers=headers, timeout=settings.EGIS_NOTIFY_TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        return _transport_error("webhook receiver", exc)
    if 200 <= response.status_code < 300:
        return SENT
    error = scrub(f"webhook receiver answered {response.status_code}", secret)
    if response.status_code == 429:
        return Outcome(
            sent=False, error=error, retry_after_s=_retry_after(response.headers.get("Retry-After"))
        )
    permanent = 400 <= response.status_code < 500 and response.status_code != 408
    return Outcome(sent=False, error=error, permanent=permanent)
