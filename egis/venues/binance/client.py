"""The HTTP layer: signing, clock offset, and turning every answer into data or one of the venue
errors of egis.venues.base. It never retries a POST that may have been received.

Numbers are parsed as Decimal (never float). The API secret is decrypted only to sign, and neither
it nor the API key is ever logged or put into an error message.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal
from typing import Any

import httpx

from egis.venues.base import (
    OrderNotFound,
    VenueConfigError,
    VenueOutcomeUnknown,
    VenueRejected,
    VenueUnavailable,
)
from egis.venues.binance.environments import (
    LOOPBACK_HOSTS,
    MAX_RECV_WINDOW_MS,
    normalised_host,
    setting,
)
from egis.venues.binance.errors import (
    CANCEL_NOT_FOUND,
    CLOCK_SKEW,
    NO_SUCH_ORDER,
    describe,
    outcome_unknown,
)
from egis.venues.binance.signing import encode_params, signed_payload
from egis.venues.secrets import decrypt_secret

logger = logging.getLogger("egis.binance")

Params = list[tuple[str, str]]

# Clock offset (Binance time - local time, ms) per base URL, shared by every client of a process.
_offsets: dict[str, int] = {}
_offsets_lock = threading.Lock()


def reset_clock_offsets() -> None:
    with _offsets_lock:
        _offsets.clear()


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def _error_of(response: httpx.Response) -> tuple[int | None, str]:
    try:
        body = _loads(response.text)
    except ValueError:
        return None, (response.text or response.reason_phrase or "")[:200]
    if isinstance(body, dict) and "code" in body:
        try:
            code = int(body["code"])
        except (TypeError, ValueError):
            code = None
        return code, str(body.get("msg", ""))[:300]
    return None, (response.text or "")[:200]


class BinanceClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        secret_token: str,
        timeout_s: float | None = None,
        recv_window_ms: int | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._secret_token = secret_token  # encrypted; decrypted only inside _sign
        self.timeout_s = setting("EGIS_BINANCE_TIMEOUT_S") if timeout_s is None else timeout_s
        self.recv_window_ms = (
            setting("EGIS_BINANCE_RECV_WINDOW_MS") if recv_window_ms is None else recv_window_ms
        )
        if not 0 < int(self.recv_window_ms) <= MAX_RECV_WINDOW_MS:
            raise VenueConfigError(
                f"recvWindow {self.recv_window_ms} ms is outside 1..{MAX_RECV_WINDOW_MS}: "
                "Binance refuses a larger one"
            )
        host = normalised_host(self.base_url)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout_s),
            follow_redirects=False,
            # Proxy variables must never divert a local simulator's traffic.
            trust_env=host not in LOOPBACK_HOSTS,
        )

    def __repr__(self) -> str:
        return f"BinanceClient({self.base_url})"

    def close(self) -> None:
        self._http.close()

    # --- clock ----------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(time.time() * 1000) + _offsets.get(self.base_url, 0)

    def sync_clock(self) -> int:
        before = int(time.time() * 1000)
        body = self.public_get("/fapi/v1/time")
        after = int(time.time() * 1000)
        try:
            server = int(body["serverTime"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VenueUnavailable("Binance /fapi/v1/time answered without serverTime") from exc
        offset = server - (before + after) // 2
        with _offsets_lock:
            _offsets[self.base_url] = offset
        return offset

    def _ensure_clock(self) -> None:
        # The pre-send step: a signed request never goes out before the offset is known.
        if self.base_url not in _offsets:
            self.sync_clock()

    def _sign(self, params: Params) -> str:
        secret = decrypt_secret(self._secret_token)
        return signed_payload(
            params, secret, timestamp_ms=self._now_ms(), recv_window_ms=self.recv_window_ms
        )

    # --- requests -------------------------------------------------------------------------

    def public_get(self, path: str, params: Params | None = None) -> Any:
        query = encode_params(params or [])
        return self._get(path, query, signed=False)

    def signed_get(self, path: str, params: Params | None = None) -> Any:
        """A read: safe to repeat, so a -1021 is answered by a clock sync and one retry."""
        self._ensure_clock()
        try:
            return self._get(path, self._sign(params or []), signed=True)
        except VenueRejected as exc:
            if exc.code != CLOCK_SKEW:
                raise
            self.sync_clock()
            return self._get(path, self._sign(params or []), signed=True)

    def _get(self, path: str, query: str, *, signed: bool) -> Any:
        url = f"{path}?{query}" if query else path
        headers = {"X-MBX-APIKEY": self._api_key} if signed else {}
        try:
            response = self._http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            logger.warning("GET %s failed: %s", path, type(exc).__name__)
            raise VenueUnavailable(
                f"Binance did not answer GET {path} ({type(exc).__name__}) at {self.base_url}"
            ) from None
        logger.debug("GET %s -> %s", path, response.status_code)
        if response.is_success:
            try:
                return _loads(response.text)
            except ValueError:
                raise VenueUnavailable(f"Binance answered GET {path} with non-JSON") from None
        code, msg = _error_of(response)
        if outcome_unknown(response.status_code, code):
            # A read that timed out at the backend or failed there is no answer (not even a
            # -2013 "does not exist" in its body): ask again later.
            raise VenueUnavailable(
                f"Binance failed GET {path}: HTTP {response.status_code} {describe(code, msg)}",
                code=code,
            )
        if code == NO_SUCH_ORDER:
            raise OrderNotFound(describe(code, msg), code=code)
        if code == -1121:
            raise VenueConfigError(describe(code, msg), code=code)
        raise VenueRejected(describe(code, msg), code=code)

    def signed_post(self, path: str, params: Params, *, idempotent: bool) -> Any:
        """A write. `idempotent` (a setting such as leverage) may be repeated after a -1021;
        an order never is: whatever might have reached Binance is reported, never resent."""
        try:
            self._ensure_clock()
        except VenueUnavailable as exc:
            raise VenueUnavailable(f"{exc.message}; nothing was sent") from None
        try:
            return self._post(path, self._sign(params))
        except VenueRejected as exc:
            if exc.code != CLOCK_SKEW:
                raise
            # -1021 is a refusal before processing. Re-sync so the next attempt works; repeat
            # only a setting, never an order.
            self.sync_clock()
            if not idempotent:
                raise
            return self._post(path, self._sign(params))

    def signed_delete(self, path: str, params: Params) -> Any:
        """A cancel: a write like an order. Sent once; anything short of a clear answer is
        VenueOutcomeUnknown (the cancel may or may not have happened), settled by a lookup.
        A "does not exist" answer (-2011/-2013) is OrderNotFound: the caller looks it up."""
        try:
            self._ensure_clock()
        except VenueUnavailable as exc:
            raise VenueUnavailable(f"{exc.message}; nothing was sent") from None
        try:
            return self._post(path, self._sign(params), method="DELETE")
        except VenueRejected as exc:
            if exc.code == CLOCK_SKEW:
                self.sync_clock()  # refused before processing; the caller may try again
            if exc.code in CANCEL_NOT_FOUND:
                raise OrderNotFound(exc.message, code=exc.code) from None
            raise

    def _post(self, path: str, body: str, *, method: str = "POST") -> Any:
        headers = {
            "X-MBX-APIKEY": self._api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            if method == "DELETE":
                # Binance reads a DELETE's parameters from the query string.
                response = self._http.request(method, f"{path}?{body}", headers=headers)
            else:
                response = self._http.post(path, content=body.encode(), headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The connection never opened: nothing reached Binance.
            logger.warning("%s %s: connection failed: %s", method, path, type(exc).__name__)
            raise VenueUnavailable(
                f"could not connect to Binance at {self.base_url} ({type(exc).__name__}); "
                "nothing was sent"
            ) from None
        except httpx.HTTPError as exc:
            logger.warning("%s %s: no answer: %s", method, path, type(exc).__name__)
            raise VenueOutcomeUnknown(
                f"no answer from Binance after sending ({type(exc).__name__})"
            ) from None
        logger.debug("%s %s -> %s", method, path, response.status_code)
        if response.is_success:
            try:
                return _loads(response.text)
            except ValueError:
                raise VenueOutcomeUnknown(
                    f"Binance answered {method} {path} with an unreadable body"
                ) from None
        code, msg = _error_of(response)
        if outcome_unknown(response.status_code, code):
            # 408 (the gateway gave up waiting for the matching engine), any 5xx, -1006/-1007:
            # the order may be live whatever the body says. Only a lookup can tell.
            raise VenueOutcomeUnknown(
                f"HTTP {response.status_code} {describe(code, msg)}; execution status unknown",
                code=code,
            )
        raise VenueRejected(describe(code, msg), code=code)
