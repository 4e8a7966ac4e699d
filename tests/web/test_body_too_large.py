"""A body over DATA_UPLOAD_MAX_MEMORY_SIZE is the client's fault: a 413 on pages, the API and
the webhook alike, logged as one WARNING line without a traceback and without the body; never an
ERROR (Django's own answer was a 400 and an ERROR with a traceback on django.security).
"""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings

from egis.accounts.tokens import token_create
from egis.bots.models import Bot
from egis.signals.hooks import hook_create
from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db

MARK = "sekrit-body-marker"
BIG = MARK + "x" * (70 * 1024)


def _json(**extra: object) -> str:
    return json.dumps({"name": BIG, **extra})


def _check_log(caplog: pytest.LogCaptureFixture) -> None:
    records = caplog.records
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records]
    assert not [r for r in records if r.exc_info or r.exc_text]
    assert not [r for r in records if MARK in r.getMessage()]
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "413" in warnings[0].getMessage() or "Too Large" in warnings[0].getMessage()


@pytest.fixture
def signed_in(alice):
    client = AppClient()
    client.force_login(alice)
    return client


@pytest.mark.parametrize("inertia", [True, False])
def test_a_page_form_over_the_limit_is_a_413_page_and_one_warning(signed_in, caplog, inertia):
    headers = {"HTTP_X_INERTIA": "true", "HTTP_X_INERTIA_VERSION": ""} if inertia else {}
    with caplog.at_level(logging.INFO):
        response = signed_in.post(
            "/bots/new", data=_json(), content_type="application/json", **headers
        )
    assert response.status_code == 413
    if inertia:  # an Inertia visit gets a page in the app's look, not a bare modal
        page = response.json()
        assert page["component"] == "errors/status"
        assert page["props"]["status"] == 413
        assert "64 KB" in page["props"]["message"]
    _check_log(caplog)
    assert not Bot.objects.exists()


def test_a_plain_form_over_the_limit_read_by_the_csrf_check_is_a_413(alice, caplog):
    # With CSRF enforced and a CSRF cookie but no header, the check reads the form body
    # (request.POST, for its token field) before the view runs.
    client = AppClient(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/bots/new", data="name=" + BIG, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 413
    _check_log(caplog)


def test_the_login_form_over_the_limit_is_a_413(caplog, db):
    with caplog.at_level(logging.INFO):
        response = AppClient().post("/login", data=_json(), content_type="application/json")
    assert response.status_code == 413
    _check_log(caplog)


def test_the_api_over_the_limit_is_a_413_and_one_warning(alice, caplog):
    _, token = token_create(user=alice, name="t")
    client = AppClient(headers={"Authorization": f"Bearer {token}"})
    with caplog.at_level(logging.INFO):
        response = client.post("/api/v1/bots", data=_json(), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    _check_log(caplog)


def test_the_webhook_over_the_limit_is_a_413_and_one_warning(paper_bot, caplog):
    hook_id = hook_create(bot_id=paper_bot.pk).hook.hook_id
    with caplog.at_level(logging.INFO):
        response = AppClient().post(
            f"/hooks/{hook_id}", data=_json(), content_type="application/json"
        )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    _check_log(caplog)


def test_a_body_at_the_limit_is_read(signed_in):
    body = json.dumps({"name": "x"}).ljust(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = signed_in.post("/bots/new", data=body, content_type="application/json")
    assert response.status_code == 303  # read: refused for its missing fields, not its size


@pytest.mark.parametrize("length", ["²", "٣٠٠٠٠٠", "-1", " 70000", ""])
def test_an_odd_content_length_is_left_to_django(length):
    # Only ASCII digits are a length here ("²".isdigit() is true but int("²") raises, and int
    # reads "٣٠٠٠٠٠" as 300000): anything else passes on, as Django reads it (no body).
    from django.http import HttpResponse
    from django.test import RequestFactory

    from egis.web.middleware import BodyTooLargeMiddleware

    request = RequestFactory().post("/bots/new", data=b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = length
    passed = BodyTooLargeMiddleware(lambda r: HttpResponse("passed"))(request)
    assert passed.status_code == 200 and passed.content == b"passed"
