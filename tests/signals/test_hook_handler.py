"""The webhook's own handler (egis/web/hook_handler.py, settings.HOOK_MIDDLEWARE): every answer
the same as through the pages' full chain (status, body, every header but `Vary: Cookie` and the
fresh request id), pages keep their sessions and CSRF, and gunicorn's entry point routes by path.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import resolve

from egis.signals.models import Signal
from egis.web.hook_handler import HookHandler, _hook_resolver, is_hook_path
from egis.web.middleware import HookDatabaseBusyMiddleware
from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db(transaction=True)

OPEN = {"action": "open", "side": "long", "size_usd": "20"}

# What the webhook's chain leaves out of settings.MIDDLEWARE, and why. A middleware added to
# MIDDLEWARE fails test_every_middleware_is_kept_or_named_here until it is placed.
NOT_FOR_HOOKS = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "static files live under /static/",
    "django.contrib.sessions.middleware.SessionMiddleware": "a sender has no session",
    "django.middleware.csrf.CsrfViewMiddleware": "the view is csrf_exempt: the secret is the proof",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session, no user",
    "egis.web.middleware.PrivatePagesNoStoreMiddleware": "for signed-in people's pages",
    "egis.web.middleware.StaleActionLoginMiddleware": "skips /hooks/ already",
    "django.contrib.messages.middleware.MessageMiddleware": "no page to show a message on",
    "egis.web.middleware.BodyTooLargeMiddleware": "skips /hooks/: the view answers its own 413",
    "egis.web.middleware.DatabaseBusyMiddleware": "replaced by HookDatabaseBusyMiddleware",
    "egis.web.middleware.InertiaPagesMiddleware": "skips /hooks/ already",
}
HOOK_ONLY = {"egis.web.middleware.HookDatabaseBusyMiddleware"}


def test_every_middleware_is_kept_or_named_here():
    full, hook = list(django_settings.MIDDLEWARE), list(django_settings.HOOK_MIDDLEWARE)
    kept = [m for m in full if m not in NOT_FOR_HOOKS]
    assert [m for m in hook if m not in HOOK_ONLY] == kept  # same order as the full chain
    assert set(NOT_FOR_HOOKS) <= set(full)


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k != "X-Request-ID"}


def _assert_same(full, lean, *, ignore: tuple[str, ...] = ()) -> None:
    """The lean answer is the full chain's, but for `Vary: Cookie` (the full chain's no-store
    check reads the session) and a fresh request id."""
    assert lean.status_code == full.status_code
    full_headers, lean_headers = _headers(full), _headers(lean)
    assert full_headers.pop("Vary", "Cookie") == "Cookie"
    for name in ignore:
        assert full_headers.pop(name) and lean_headers.pop(name)
    assert lean_headers == full_headers
    assert len(lean["X-Request-ID"]) == 32
    assert not lean.cookies and not full.cookies
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert lean[header]  # the security headers every answer gets
    assert lean["Referrer-Policy"] == "same-origin"


def _without_id(response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body.pop("signal_id"), int)
    return body


@pytest.fixture
def full(sender):
    """The same sender through Django's own test client: the pages' full chain."""
    return Client()


def _post(client, sender, payload: dict[str, Any], *, secret: str | None = None, url: str = ""):
    body = {**payload, "secret": sender.issued.secret if secret is None else secret}
    return client.post(url or sender.url, data=json.dumps(body), content_type="application/json")


def test_accepted_rejected_and_duplicate_answer_as_before(sender, full, queue_only):
    cases = [
        ({**OPEN, "id": "a"}, 202),
        ({**OPEN, "id": "w", "symbol": "BTCUSDT"}, 422),  # recorded, rejected: wrong symbol
    ]
    for payload, status in cases:
        before = _post(full, sender, {**payload, "id": payload["id"] + "-full"})
        after = _post(sender.client, sender, {**payload, "id": payload["id"] + "-lean"})
        assert before.status_code == status
        _assert_same(before, after)
        assert _without_id(before) == _without_id(after)
    duplicate_full = _post(full, sender, {**OPEN, "id": "a-lean"})
    duplicate_lean = _post(sender.client, sender, {**OPEN, "id": "a-lean"})
    assert duplicate_full.status_code == 200
    _assert_same(duplicate_full, duplicate_lean)
    assert duplicate_lean.content == duplicate_full.content
    assert Signal.objects.count() == 4


def test_signed_and_text_plain_posts_are_accepted(sender, queue_only):
    assert sender.signed({**OPEN, "id": "signed"}).status_code == 202
    text = json.dumps({**OPEN, "id": "text", "secret": sender.issued.secret}).encode()
    assert sender.raw(text, content_type="text/plain").status_code == 202
    assert sender.signed({**OPEN, "id": "bad"}, secret="not-it").status_code == 404


def test_refusals_are_byte_identical_and_as_before(sender, full):
    unknown = "/hooks/no-such-hook-id-at-all-000000000"
    answers = [
        _post(full, sender, OPEN, secret="wrong"),
        _post(full, sender, OPEN, url=unknown),
        _post(sender.client, sender, OPEN, secret="wrong"),
        _post(sender.client, sender, OPEN, url=unknown),
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    for lean in answers[2:]:
        _assert_same(answers[0], lean)
    assert not Signal.objects.exists()


def test_not_json_too_large_and_not_post_answer_as_before(sender, full):
    for client_post in (
        lambda c: c.post(sender.url, data=b"{not json", content_type="text/plain"),
        lambda c: c.post(sender.url, data=b"x" * 20_000, content_type="application/json"),
        lambda c: c.get(sender.url),
        lambda c: c.put(sender.url, data=b"{}", content_type="application/json"),
    ):
        before, after = client_post(full), client_post(sender.client)
        assert before.status_code in (400, 413, 405)
        _assert_same(before, after)
        assert after.content == before.content


def test_throttled_answers_as_before(sender, full, settings):
    settings.EGIS_HOOK_MAX_PER_MINUTE = 0
    before, after = _post(full, sender, OPEN), _post(sender.client, sender, OPEN)
    assert before.status_code == 429
    # Retry-After counts down to the next minute: it may have moved between the two posts.
    _assert_same(before, after, ignore=("Retry-After",))
    assert after.content == before.content
    assert 1 <= int(after["Retry-After"]) <= 60


def test_a_bad_host_is_refused_as_before(sender, full):
    kw: dict[str, Any] = {"HTTP_HOST": "evil.example", "content_type": "application/json"}
    before = full.post(sender.url, data=b"{}", **kw)
    after = AppClient(raise_request_exception=False).post(sender.url, data=b"{}", **kw)
    assert before.status_code == after.status_code == 400
    assert after.content == before.content
    assert after["X-Frame-Options"] == "DENY" and after["Content-Security-Policy"]


def test_other_paths_under_hooks_keep_the_pages_404():
    assert not is_hook_path("/hooks/") and not is_hook_path("/hooks/a/b")
    assert not is_hook_path("/hook/abc") and is_hook_path("/hooks/abc")
    page = AppClient().post("/hooks/a/b", data=b"{}", content_type="application/json")
    assert page.status_code == 404 and b"Not found" in page.content


@pytest.mark.parametrize("path", ["/hooks/abc", "/hooks/a%20b", "/hooks/ünï", "/hooks/a.b-c_d"])
def test_the_hook_route_resolves_as_the_full_url_configuration(path):
    lean, full = _hook_resolver().resolve(path), resolve(path)
    assert (lean.func, lean.args, lean.kwargs) == (full.func, full.args, full.kwargs)
    assert (lean.url_name, lean.route) == (full.url_name, full.route)


def test_a_busy_database_is_the_webhooks_503(rf: RequestFactory):
    busy = HookDatabaseBusyMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    answer = busy.process_exception(rf.post("/hooks/x"), OperationalError("database is locked"))
    assert answer is not None and answer.status_code == 503
    assert json.loads(answer.content)["error"] == "busy"
    assert busy.process_exception(rf.post("/hooks/x"), ValueError("not ours")) is None


def _wsgi(path: str, *, method: str = "GET", body: bytes = b"") -> tuple[str, dict, Any]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.errors": sys.stderr,
    }
    started: list[Any] = []
    from egis.wsgi import application

    def start(status: str, headers: list, exc: Any = None) -> None:
        started.append((status, headers))

    result = application(environ, start)
    b"".join(result)
    result.close()  # type: ignore[attr-defined]
    status, headers = started[0]
    return status, {k: v for k, v in headers if k != "Set-Cookie"}, result


def test_gunicorns_entry_point_routes_the_webhook_and_pages_apart(sender, queue_only):
    body = json.dumps({**OPEN, "id": "wsgi", "secret": sender.issued.secret}).encode()
    status, headers, answer = _wsgi(sender.url, method="POST", body=body)
    assert status == "202 Accepted" and answer._handler_class is HookHandler
    assert "Vary" not in headers and not answer.cookies
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert Signal.objects.get().sender_id == "wsgi"

    status, headers, page = _wsgi("/login")
    assert status == "200 OK" and page._handler_class is not HookHandler
    assert "csrftoken" in page.cookies  # the pages keep sessions, CSRF and Inertia
    assert "Cookie" in headers["Vary"]
