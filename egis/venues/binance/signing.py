"""HMAC-SHA256 request signing, exactly as Binance documents it for USDⓈ-M Futures."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode


def sign(payload: str, secret: str) -> str:
    """Hex HMAC-SHA256 of the exact query string (+ body) that is sent."""
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def encode_params(params: list[tuple[str, str]]) -> str:
    """`a=1&b=2` in the given order: the string that is signed is the string that is sent."""
    return urlencode(params)


def signed_payload(
    params: list[tuple[str, str]], secret: str, *, timestamp_ms: int, recv_window_ms: int
) -> str:
    full = [*params, ("recvWindow", str(recv_window_ms)), ("timestamp", str(timestamp_ms))]
    payload = encode_params(full)
    return f"{payload}&signature={sign(payload, secret)}"
