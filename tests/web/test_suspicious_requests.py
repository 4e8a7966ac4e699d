"""Requests Django refuses as suspicious (too many fields, a Host not allowed) are the client's
fault: a 400, logged as one WARNING line without a traceback; never an ERROR. Django logs them
on `django.security.<name>` as errors with the exception attached (egis.ops.logs
ExpectedRefusalFilter turns them into the one line every other refusal gets).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db

TOO_MANY = {f"f{n}": "x" for n in range(150)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 100


def _one_warning(caplog: pytest.LogCaptureFixture) -> str:
    records = caplog.records
    assert not [r for r in records if r.levelno >= logging.ERROR], [r.getMessage() for r in records]
    assert not [r for r in records if r.exc_info or r.exc_text]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    return warnings[0]


@pytest.fixture
def signed_in(bob):
    client = AppClient()
    client.force_login(bob)
    return client


def test_a_form_with_too_many_fields_is_a_400_and_one_warning(signed_in, caplog):
    with caplog.at_level(logging.INFO):
        response = signed_in.post(
            "/bots/new", data=urlencode(TOO_MANY), content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400
    line = _one_warning(caplog)
    assert line.startswith("400 ") and "POST /bots/new" in line and "by bob" in line


def test_a_query_with_too_many_parameters_is_a_400_and_one_warning(signed_in, paper_bot, caplog):
    path = f"/bots/{paper_bot.pk}/activity"
    with caplog.at_level(logging.INFO):
        response = signed_in.get(f"{path}?{urlencode(TOO_MANY)}")
    assert response.status_code == 400
    assert f"GET {path} by bob" in _one_warning(caplog)


def test_a_host_not_allowed_is_a_400_and_one_warning(caplog):
    with caplog.at_level(logging.INFO):
        response = AppClient().get("/login", HTTP_HOST="evil.example")
    assert response.status_code == 400
    line = _one_warning(caplog)
    assert "evil.example" in line and "GET /login" in line
