"""A fake Binance USDⓈ-M Futures server on 127.0.0.1, inside the test process.

It speaks the real wire protocol (the endpoints, parameters, JSON shapes and error codes Egis
uses), so the real adapter runs against it unchanged:

- signed endpoints check X-MBX-APIKEY, the HMAC-SHA256 signature over query string + body, and
  the timestamp against the recvWindow (-2015, -1022, -1021);
- MARKET orders obey the symbol filters (-1111, -4003, -4004, -4005, -4023, -4164), reduce-only
  (-2022), margin (-2019), hedge mode (-4061), client order ids (-4015, -4116), and fill in
  several trades at different prices (a `fill_ratio` below 1 leaves the order EXPIRED, partly
  filled);
- faults can be queued for the next order: a refusal with any code, 503 "Unknown error" after
  booking, a timeout after booking, -1007 after booking (or without booking), any status and
  body after booking (a 408 with an HTML page), and lookups can answer -2013 for a while
  although the order exists (lag);
- conditional orders go through the Algo Order API (tests/support/fake_binance_algo.py: place,
  query, cancel, open and all algo orders, triggering on the mark price, EXPIRED/REJECTED/CANCELED
  and unknown-outcome injection); POST /fapi/v1/order answers -4120 for a conditional type;
- userTrades pages as Binance does (limit default 500, max 1000, fromId, ascending ids), and
  its trades can lag the order (`lag_trades`); an order that does not fill completely ends
  `expire_status` (EXPIRED, or EXPIRED_IN_MATCH).

Usage: `with FakeBinance() as fake: ... fake.base_url ...`; every request is kept in
`fake.requests`. Reusable by any test (see tests/venues/binance/conftest.py for fixtures).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.fake_binance_algo import AlgoOrdersMixin
from tests.support.fake_binance_exchange import (
    ANSWER_AFTER_BOOKING,
    REJECT,
    TIMEOUT_1007_AFTER_BOOKING,
    TIMEOUT_1007_NOT_BOOKED,
    TIMEOUT_AFTER_BOOKING,
    UNKNOWN_503_AFTER_BOOKING,
    FakeFuturesExchange,
    RawBody,
    _Refusal,
)

__all__ = [
    "ANSWER_AFTER_BOOKING",
    "REJECT",
    "TIMEOUT_1007_AFTER_BOOKING",
    "TIMEOUT_1007_NOT_BOOKED",
    "TIMEOUT_AFTER_BOOKING",
    "UNKNOWN_503_AFTER_BOOKING",
    "FakeBinance",
    "RawBody",
    "RecordedRequest",
]


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    api_key: str | None
    raw_query: str
    raw_body: str
    status: int | None = None  # what the fake answered
    code: int | None = None  # the Binance error code answered, if any


class FakeBinance(AlgoOrdersMixin, FakeFuturesExchange):
    """The exchange served over HTTP on 127.0.0.1 with Binance's request authentication."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests: list[RecordedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeBinance:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let any hanging handler finish
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeBinance:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests if r.path == path and (method is None or r.method == method)
        ]

    @property
    def order_posts(self) -> list[RecordedRequest]:
        return self.requests_to("/fapi/v1/order", "POST")

    @property
    def algo_posts(self) -> list[RecordedRequest]:
        return self.requests_to("/fapi/v1/algoOrder", "POST")

    @property
    def algo_cancels(self) -> list[RecordedRequest]:
        return self.requests_to("/fapi/v1/algoOrder", "DELETE")

    # --- request handling -----------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: str) -> tuple[int, Any]:
        parts = urlsplit(target)
        raw_query = parts.query
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        params.update(parse_qsl(body, keep_blank_values=True))
        api_key = headers.get("X-MBX-APIKEY")
        record = RecordedRequest(method, parts.path, params, api_key, raw_query, body)
        with self._lock:
            self.requests.append(record)
        status, payload = self._answer(method, parts.path, params, api_key, raw_query, body)
        record.status = status
        if isinstance(payload, dict) and isinstance(payload.get("code"), int):
            record.code = payload["code"]
        return status, payload

    def _answer(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        api_key: str | None,
        raw_query: str,
        body: str,
    ) -> tuple[int, Any]:
        route = ROUTES.get((method, path))
        if route is None:
            return 404, {"code": -1, "msg": f"Path {path} not found"}
        handler, signed = route
        try:
            if signed:
                self._check_signed(api_key, raw_query, body, params)
            return handler(self, params)
        except _Refusal as exc:
            return exc.status, {"code": exc.code, "msg": exc.msg}

    def answered_code(self, code: int) -> list[RecordedRequest]:
        """The requests the fake answered with this Binance error code (e.g. -4120)."""
        return [r for r in self.requests if r.code == code]

    def _check_signed(
        self, api_key: str | None, raw_query: str, body: str, params: dict[str, str]
    ) -> None:
        secret = self.keys.get(api_key or "")
        if secret is None:
            raise _Refusal(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        q_rest, q_sig = _split_signature(raw_query)
        b_rest, b_sig = _split_signature(body)
        signature = q_sig or b_sig
        payload = q_rest + b_rest  # Binance signs the query string concatenated with the body
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(signature.lower(), expected):
            raise _Refusal(-1022, "Signature for this request is not valid.")
        try:
            timestamp = int(params["timestamp"])
        except (KeyError, ValueError):
            raise _Refusal(
                -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
            ) from None
        recv_window = int(params.get("recvWindow", "5000"))
        now = self.server_time_ms()
        if timestamp >= now + 1000:
            raise _Refusal(
                -1021, "Timestamp for this request was 1000ms ahead of the server's time."
            )
        if now - timestamp > recv_window:
            raise _Refusal(-1021, "Timestamp for this request is outside of the recvWindow.")


def _split_signature(raw: str) -> tuple[str, str]:
    parts = raw.split("&") if raw else []
    signature = next((p.split("=", 1)[1] for p in parts if p.startswith("signature=")), "")
    rest = "&".join(p for p in parts if not p.startswith("signature="))
    return rest, signature


ROUTES: dict[
    tuple[str, str], tuple[Callable[[FakeFuturesExchange, dict[str, str]], tuple[int, Any]], bool]
] = {
    ("GET", "/fapi/v1/time"): (FakeFuturesExchange._time, False),
    ("GET", "/fapi/v1/exchangeInfo"): (FakeFuturesExchange._exchange_info, False),
    ("GET", "/fapi/v1/premiumIndex"): (FakeFuturesExchange._premium_index, False),
    ("GET", "/fapi/v1/positionSide/dual"): (FakeFuturesExchange._dual, True),
    ("POST", "/fapi/v1/leverage"): (FakeFuturesExchange._leverage, True),
    ("POST", "/fapi/v1/order"): (FakeFuturesExchange._new_order, True),
    ("GET", "/fapi/v1/order"): (FakeFuturesExchange._get_order, True),
    ("GET", "/fapi/v1/userTrades"): (FakeFuturesExchange._user_trades, True),
    ("GET", "/fapi/v3/positionRisk"): (FakeFuturesExchange._position_risk, True),
    ("POST", "/fapi/v1/algoOrder"): (AlgoOrdersMixin._new_algo_order, True),  # type: ignore[dict-item]
    ("GET", "/fapi/v1/algoOrder"): (AlgoOrdersMixin._get_algo_order, True),  # type: ignore[dict-item]
    ("DELETE", "/fapi/v1/algoOrder"): (AlgoOrdersMixin._cancel_algo_order, True),  # type: ignore[dict-item]
    ("GET", "/fapi/v1/openAlgoOrders"): (AlgoOrdersMixin._open_algo_orders, True),  # type: ignore[dict-item]
    ("GET", "/fapi/v1/allAlgoOrders"): (AlgoOrdersMixin._all_algo_orders, True),  # type: ignore[dict-item]
}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeBinance
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read fake.requests
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        status, payload = self.owner.handle(method, self.path, self.headers, body)
        raw = isinstance(payload, RawBody)
        data = (str(payload) if raw else json.dumps(payload)).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if raw else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test): the order stays booked

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")
