"""A secret shown once (a generated password) lives only in the one answer that shows it: never
in a cookie (the messages cookie is signed, not encrypted) nor in the session table."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.models import Session

from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db


def test_generated_password_is_shown_once_and_never_stored_in_a_cookie_or_session(as_alice):
    response = post_json(
        as_alice, "/users/new", {"username": "dora", "role": "user", "password": ""}
    )
    cookie = response.cookies.get("messages")
    in_cookie = CookieStorage(response.wsgi_request)._decode(cookie.value) if cookie else None
    in_sessions = [json.dumps(s.get_decoded(), default=str) for s in Session.objects.all()]
    # The one answer shows it (directly, or the page the redirect leads to).
    shown = response if response.status_code == 200 else as_alice.get("/users", HTTP_X_INERTIA="1")
    secret = json.loads(shown.content)["props"]["secret"]
    password = secret["items"][0]["value"]
    assert len(password) >= 12
    assert password not in str([str(m) for m in in_cookie or []])
    assert not any(password in text for text in in_sessions)
    assert inertia(as_alice, "/users")["props"]["secret"] is None


def test_reloading_the_create_user_answer_goes_back_to_the_list(as_alice):
    response = as_alice.get("/users/new")
    assert response.status_code == 303
    assert response["Location"] == "/users"
