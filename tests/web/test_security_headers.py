"""Security headers on every kind of response, including the ones answered before the views:
static files (WhiteNoise answers them itself) and requests refused for a bad Host header."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def _assert_headers(response) -> None:
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# WhiteNoise reads its settings when the middleware is built: a fresh Client builds it anew.
@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=False)
def test_static_files_carry_the_security_headers():
    response = Client().get("/static/egis/favicon.svg")
    assert response.status_code == 200
    _assert_headers(response)


def test_a_refused_host_header_answer_carries_the_security_headers():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="bad host")
    assert response.status_code == 400
    _assert_headers(response)


@pytest.mark.parametrize("url", ["/healthz", "/api/v1/bots", "/api/v1/nope", "/nope", "/login"])
def test_pages_api_and_errors_carry_the_security_headers(client, url):
    _assert_headers(client.get(url))
