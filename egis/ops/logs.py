"""Log lines that can be followed across hosts: every record carries the request id (or the
worker job's id) and the client order id being handled; EGIS_LOG_JSON=1 writes one JSON object a
line (for a log shipper), otherwise the plain format with the two ids appended when set."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from egis.core import log_context

# A request id from the proxy is kept only if it is short and plain: it lands in every log line.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


class ContextFilter(logging.Filter):
    """Copies the request id and client order id onto every record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id, client_order_id = log_context.current()
        record.request_id = request_id
        record.client_order_id = client_order_id
        return True


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{name}={value}"
            for name in ("request_id", "client_order_id")
            if (value := getattr(record, name, ""))
        ]
        return f"{line} [{' '.join(ids)}]" if ids else line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "client_order_id": getattr(record, "client_order_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def request_id_from(header: str | None) -> str:
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Binds a request id for the request's log lines and answers it in X-Request-ID (a
    well-formed id from the proxy is kept, so the proxy's access log and ours match)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        log_context.bind_request(request_id)
        try:
            response = self.get_response(request)
        finally:
            log_context.clear()
        response[REQUEST_ID_HEADER] = request_id
        return response
