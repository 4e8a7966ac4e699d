"""Shared fixtures for signals: Bob's paper bot with a webhook, and a sender that posts to it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.core.cache import cache

from egis.signals import throttle
from egis.signals.hooks import IssuedHook, hook_create
from tests.support.app_client import AppClient


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    throttle.reset()
    yield
    cache.clear()
    throttle.reset()


@pytest.fixture(autouse=True)
def _fresh_worker_process(monkeypatch):
    """Each test is a worker process of its own: its first start-up hook marks its start."""
    from egis.ops import worker_start

    monkeypatch.setattr(worker_start, "_start", worker_start._ProcessStart())


@pytest.fixture
def restart_worker(monkeypatch):
    """Call to stand for the worker process being killed and started again: a process start of
    its own (on this host, with this pid, as a restarted container often has)."""
    from egis.ops import worker_start

    def restart() -> None:
        monkeypatch.setattr(worker_start, "_start", worker_start._ProcessStart())

    return restart


@pytest.fixture
def issued(paper_bot) -> IssuedHook:
    return hook_create(bot_id=paper_bot.pk)


class Sender:
    """Posts signals the way TradingView or a script does; `raw` gives full control. Through
    the webhook's own handler, as gunicorn serves it (tests.support.app_client)."""

    def __init__(self, issued: IssuedHook) -> None:
        self.issued = issued
        self.client = AppClient()

    @property
    def url(self) -> str:
        return f"/hooks/{self.issued.hook.hook_id}"

    def raw(
        self, body: bytes, *, content_type: str = "application/json", url: str = "", **headers: str
    ):
        return self.client.post(
            url or self.url, data=body, content_type=content_type, headers=headers
        )

    def post(self, payload: dict[str, Any], *, secret: str | None = None, **kw: Any):
        body = {**payload, "secret": self.issued.secret if secret is None else secret}
        return self.raw(json.dumps(body).encode(), **kw)

    def signed(self, payload: dict[str, Any], *, at: int | None = None, secret: str | None = None):
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()) if at is None else at)
        key = (secret or self.issued.secret).encode()
        mac = hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return self.raw(body, **{"X-Egis-Signature": f"t={stamp},v1={mac}"})


@pytest.fixture
def sender(issued) -> Sender:
    return Sender(issued)


@pytest.fixture
def queue_only():
    """The worker does not run on its own: signals wait in the queue until a test calls
    `signal_process` (with a venue of its choice)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    yield
    HUEY.immediate = True


@pytest.fixture
def orm_statements(monkeypatch):
    """Each statement Django's ORM compiles while the fixture is active (the hot path compiles
    its statements once, egis.core.rows: an ORM query there costs more than the statement)."""
    from django.db.models.sql.compiler import SQLCompiler

    compiled: list[str] = []
    original = SQLCompiler.execute_sql

    def counting(self, *args, **kwargs):
        compiled.append(f"{type(self.query).__name__} {self.query.model.__name__}")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", counting)
    return compiled
