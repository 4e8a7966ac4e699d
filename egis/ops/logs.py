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


class ExpectedRefusalFilter(logging.Filter):
    """On `django.request` and Django's security loggers: a refusal (a 4xx, e.g. a 403 for a
    non-admin on an admin page, a 400 for a Host not allowed) is an expected answer, logged as
    one warning line with the method, path and user, never with a traceback (Django attaches
    the exception's). 5xx records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or status >= 500 or not record.exc_info:
            return True
        error = record.exc_info[1]
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        method = getattr(request, "method", "") or ""
        path = getattr(request, "path", "") or ""
        detail = f": {error}" if error is not None and str(error) else ""
        # "Forbidden (Permission denied)"; Django's security loggers' message is the error itself.
        security = record.name.startswith("django.security.")
        reason = "Bad request" if security else record.getMessage().split(":", 1)[0]
        record.msg = "%s %s: %s %s by %s%s"
        record.args = (status, reason, method, path, who, detail)
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        if not getattr(record, "request_id", ""):
            record.request_id, record.client_order_id = log_context.current()
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
