"""The load generator's HTTP client: one POST per connection, as an alert sender makes it.

The senders run on the 2 cores the server and the worker use, so what a post costs the sender
is taken from what is measured. aiohttp's client cost 1.0-1.2 ms of CPU per post in benchmark 6
(its session, connector and response machinery, made for general use); this one costs about
0.25 ms: the request's bytes are made once per body, the answer is read until the server closes
the connection (`Connection: close`, as gunicorn's sync workers do anyway), and only its status
and body are taken. It is a load generator, not a client for the product: no redirects, no
chunked answers, no TLS, no keep-alive.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

MAX_ANSWER_BYTES = 1 << 20


class HttpAnswerError(Exception):
    """The server's answer is not a complete HTTP/1.x answer."""


class _Answer(asyncio.Protocol):
    __slots__ = ("buffer", "done")

    def __init__(self, done: asyncio.Future[bytes]) -> None:
        self.buffer = bytearray()
        self.done = done

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > MAX_ANSWER_BYTES and not self.done.done():
            self.done.set_exception(HttpAnswerError("answer larger than 1 MiB"))

    def eof_received(self) -> bool:
        return False  # close the transport: the whole answer is in

    def connection_lost(self, exc: Exception | None) -> None:
        if self.done.done():
            return
        if exc is not None:
            self.done.set_exception(exc)
        else:
            self.done.set_result(bytes(self.buffer))


class LeanPoster:
    """POSTs JSON bodies to paths of one `http://host:port` base."""

    def __init__(self, base: str, *, timeout_s: float = 30.0) -> None:
        parts = urlsplit(base)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"expected http://host:port, got {base!r}")
        self.host, self.port = parts.hostname, parts.port
        self.timeout_s = timeout_s
        self._head = (
            "POST {path} HTTP/1.1\r\nHost: "
            + parts.netloc
            + "\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n"
        )

    def request(self, path: str, body: bytes) -> bytes:
        """The request's bytes (made once per body; a retry sends the same bytes)."""
        return self._head.format(path=path, length=len(body)).encode("ascii") + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """Send one request on a new connection: (status code, body)."""
        return await asyncio.wait_for(self._send(request), self.timeout_s)

    async def _send(self, request: bytes) -> tuple[int, bytes]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bytes] = loop.create_future()
        transport, _ = await loop.create_connection(lambda: _Answer(done), self.host, self.port)
        try:
            transport.write(request)
            raw = await done
        finally:
            transport.close()
        return parse_answer(raw)


def parse_answer(raw: bytes) -> tuple[int, bytes]:
    head, found, body = raw.partition(b"\r\n\r\n")
    if not found or not head.startswith(b"HTTP/1.") or len(head) < 12:
        raise HttpAnswerError(f"not an HTTP answer: {raw[:80]!r}")
    status = int(head[9:12])
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and int(value) != len(body):
            raise HttpAnswerError(f"body of {len(body)} bytes, Content-Length {int(value)}")
    return status, body
