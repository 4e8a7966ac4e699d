"""Issue 10, section 6: 403/404/500 in the app's look (dark theme, same layout), DEBUG off."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from egis.ledger.pipeline import order_open
from egis.web.views_errors import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_apps_404_page(as_bob, settings):
    settings.DEBUG = False
    response = as_bob.get("/bots/999999", HTTP_X_INERTIA="true")
    assert response.status_code == 404
    page = json.loads(response.content)  # an Inertia page, not a blank modal
    assert page["component"] == "errors/status"
    assert page["props"]["status"] == 404
    assert page["props"]["auth"]["user"]["username"] == "bob"  # drawn in the app layout


def test_a_full_page_404_is_the_app_shell(as_bob, settings):
    settings.DEBUG = False
    response = as_bob.get("/no/such/page")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="dark"' in body and "errors/status" in body


@pytest.mark.django_db(transaction=True)
def test_a_user_archiving_gets_the_apps_403_page(as_bob, paper_bot, settings):
    settings.DEBUG = False
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    response = as_bob.post(
        f"/bots/{paper_bot.pk}/positions/{position.pk}/archive", HTTP_X_INERTIA="true"
    )
    assert response.status_code == 403
    page = json.loads(response.content)
    assert page["component"] == "errors/status"
    assert page["props"]["title"] == "Not allowed"


def test_an_admin_page_is_the_apps_403_page_for_a_user(as_bob, settings):
    settings.DEBUG = False
    response = as_bob.get("/incidents", HTTP_X_INERTIA="true")
    assert response.status_code == 403
    assert json.loads(response.content)["component"] == "errors/status"


def test_an_unknown_api_path_answers_json(as_bob, settings):
    settings.DEBUG = False
    response = as_bob.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_500_page_is_dark_and_needs_no_database(settings):
    settings.DEBUG = False
    request = RequestFactory().get("/bots/1")
    with pytest.MonkeyPatch.context() as patch:
        # The 500 page must render even when the database is gone.
        from django.db import connection

        patch.setattr(connection, "cursor", lambda *a, **k: (_ for _ in ()).throw(RuntimeError))
        response = server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "background: #0a0c0f" in body
    assert "Something went wrong" in body
    assert "Traceback" not in body


def test_the_500_answer_of_the_api_is_json():
    response = server_error(RequestFactory().get("/api/v1/bots"))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "internal"
