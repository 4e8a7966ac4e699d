"""What every log line of a request or an order carries: the request id (one per HTTP request or
worker job) and the client order id of the order being handled. Context variables, so each
thread and each request sees its own; `egis.ops.logs.ContextFilter` copies them onto records."""

from __future__ import annotations

from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("egis_request_id", default="")
_client_order_id: ContextVar[str] = ContextVar("egis_client_order_id", default="")


def bind_request(request_id: str) -> None:
    """A new request or job: its id, and no order yet."""
    _request_id.set(request_id)
    _client_order_id.set("")


def bind_order(client_order_id: str) -> None:
    """The order this request or job is handling now (the lines after this one are its story)."""
    _client_order_id.set(client_order_id)


def clear() -> None:
    _request_id.set("")
    _client_order_id.set("")


def current() -> tuple[str, str]:
    """(request id, client order id), each "" when unbound."""
    return _request_id.get(), _client_order_id.get()
