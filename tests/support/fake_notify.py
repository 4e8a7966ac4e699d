"""A fake Telegram Bot API server and a fake webhook receiver on 127.0.0.1, inside the test
process (threads), speaking the real wire protocol Egis uses.

FakeTelegram: `POST /bot<token>/sendMessage` with a JSON body (`chat_id`, `text`), answered the
way the Bot API does: `{"ok": true, "result": {message}}`, or `{"ok": false, "error_code",
"description"[, "parameters": {"retry_after": N}]}` (401 for an unknown token, 400 "chat not
found" for an unknown chat, 429 with retry_after when a fault is queued or when one chat gets
two messages within `min_gap_s`, like Telegram's flood control).

FakeWebhook: records every POST (headers and raw body) and answers `status` (200 unless told),
or, with `hang_s`, waits that long before answering.

`python -m tests.support.fake_notify --port 8140` runs the fake Telegram server alone and prints
what it receives (the README's local demo of notifications).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456789:AAFakeTelegramTokenForTests_0123456789"
CHAT = "424242"


@dataclass
class Message:
    token: str
    chat_id: Any
    text: str
    at: float


@dataclass
class FakeTelegram:
    token: str = TOKEN
    chats: set[str] = field(default_factory=lambda: {CHAT})
    min_gap_s: float = 0.0  # > 0: a second message to one chat within this gap is a 429
    port: int = 0
    verbose: bool = False
    messages: list[Message] = field(default_factory=list)
    requests: list[tuple[str, bytes]] = field(default_factory=list)
    faults: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail_next(self, status: int, **body: Any) -> None:
        """The next sendMessage answers this status and body (e.g. 429, parameters=...)."""
        self.faults.append((status, body))

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    def _answer(self, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests.append((path, raw))
            prefix, _, method = path.rpartition("/")
            token = prefix.removeprefix("/bot")
            if not prefix.startswith("/bot") or token != self.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if method.lower() != "sendmessage":
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            try:
                body = json.loads(raw)
            except ValueError:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request"}
            chat = str(body.get("chat_id"))
            text = body.get("text")
            if self.faults:
                status, extra = self.faults.pop(0)
                return status, {"ok": False, "error_code": status, **extra}
            if chat not in self.chats:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: chat not found",
                }
            if not isinstance(text, str) or not 1 <= len(text) <= 4096:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                }
            now = time.monotonic()
            last = self._last.get(chat)
            if self.min_gap_s and last is not None and now - last < self.min_gap_s:
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            self._last[chat] = now
            self.messages.append(
                Message(token=token, chat_id=body.get("chat_id"), text=text, at=now)
            )
            if self.verbose:
                print(f"[fake telegram] chat {chat}: {text}", flush=True)
            result = {"message_id": len(self.messages), "chat": {"id": chat}, "text": text}
            return 200, {"ok": True, "result": result}

    def __enter__(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = fake._answer(self.path, raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeWebhook:
    status: int = 200
    hang_s: float = 0.0
    headers_out: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self.connections = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/egis-hook"

    def __enter__(self) -> FakeWebhook:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.connections += 1
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.received.append(Received(self.path, dict(self.headers.items()), raw))
                if fake.hang_s:
                    time.sleep(fake.hang_s)
                self.send_response(fake.status)
                for name, value in fake.headers_out.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="a fake Telegram Bot API server on loopback")
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--chat", default=CHAT)
    args = parser.parse_args()
    with FakeTelegram(token=args.token, chats={args.chat}, port=args.port, verbose=True) as fake:
        print(f"fake Telegram Bot API at {fake.base_url} (token {args.token}, chat {args.chat})")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
