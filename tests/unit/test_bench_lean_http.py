"""The benchmark's load generator (bench/lean_http.py) reads answers right: status, body, and
refuses what is not a whole HTTP answer."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from lean_http import HttpAnswerError, LeanPoster, parse_answer


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps(
            {"path": self.path, "got": json.loads(body), "type": self.headers["Content-Type"]}
        ).encode()
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        return None


def _in_own_loop(make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine on a loop of its own thread: a browser test of the same worker may keep
    an event loop running in this one (Playwright's sync API)."""
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(make())))
    thread.start()
    thread.join(30)
    assert outcome, "the coroutine did not finish"
    return outcome[0]


@pytest.fixture
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_post_gets_its_status_and_body(base):
    poster = LeanPoster(base)
    request = poster.request("/hooks/abc", b'{"action": "close"}')

    async def twice() -> list[tuple[int, bytes]]:
        return [await poster.send(request), await poster.send(request)]  # a retry: same bytes

    for status, body in _in_own_loop(twice):
        assert status == 202
        assert json.loads(body) == {
            "path": "/hooks/abc",
            "got": {"action": "close"},
            "type": "application/json",
        }


def test_what_is_not_a_whole_answer_is_refused():
    assert parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") == (200, b"ok")
    with pytest.raises(HttpAnswerError, match="Content-Length"):
        parse_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok")
    with pytest.raises(HttpAnswerError, match="not an HTTP answer"):
        parse_answer(b"")
    with pytest.raises(HttpAnswerError, match="not an HTTP answer"):
        parse_answer(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(ValueError, match="http://host:port"):
        LeanPoster("https://example.test/")
