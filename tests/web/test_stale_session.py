"""Issue 10, section 6: after logout or session expiry, Back shows nothing private, and an action
from a stale page goes through login and back to that page with a GET (never a 405 or a blank
Inertia modal)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from egis.ledger.models import Order
from tests.web.conftest import post_json

pytestmark = pytest.mark.django_db


def test_signed_in_pages_are_never_stored_and_their_history_is_encrypted(as_bob, paper_bot):
    response = as_bob.get(f"/bots/{paper_bot.pk}", HTTP_X_INERTIA="true")
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["encryptHistory"] is True


def test_the_login_page_does_not_encrypt_anything(client):
    response = client.get("/login", HTTP_X_INERTIA="true")
    assert json.loads(response.content)["encryptHistory"] is False


@pytest.mark.parametrize("inertia_visit", [True, False])
def test_an_action_from_a_page_whose_session_ended_goes_through_login_back_to_the_page(
    client, bob, paper_bot, inertia_visit
):
    headers = {"HTTP_REFERER": f"http://testserver/bots/{paper_bot.pk}?page=2"}
    if inertia_visit:
        headers["HTTP_X_INERTIA"] = "true"
    # No session (expired or logged out in another tab): the stale page posts an open.
    response = client.post(
        f"/bots/{paper_bot.pk}/orders/open",
        data=json.dumps({"side": "long", "size_usd": "10"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 303
    assert response["Location"] == f"/login?next=%2Fbots%2F{paper_bot.pk}%3Fpage%3D2"
    assert Order.objects.count() == 0

    login_page = client.get(response["Location"], HTTP_X_INERTIA="true")
    assert login_page.status_code == 200
    page = json.loads(login_page.content)
    assert page["component"] == "auth/login"
    next_url = page["props"]["next"]
    assert next_url == f"/bots/{paper_bot.pk}?page=2"

    signed_in = post_json(
        client, "/login", {"username": "bob", "password": "pw-bob-12345", "next": next_url}
    )
    assert signed_in.status_code == 303
    assert signed_in["Location"] == next_url  # a page, answered with GET: never a 405
    assert client.get(next_url, HTTP_X_INERTIA="true").status_code == 200


def test_without_a_usable_referer_the_way_back_is_the_dashboard(client, paper_bot):
    response = client.post(
        f"/bots/{paper_bot.pk}/positions/1/close", HTTP_REFERER="https://evil.example/bots/1"
    )
    assert response.status_code == 303
    assert response["Location"] == "/login?next=%2F"


def test_logout_from_a_stale_page_still_just_logs_out(client):
    response = client.post("/logout")
    assert response.status_code == 303
    assert response["Location"] == "/login"


def test_the_api_still_answers_401(paper_bot):
    response = Client().post(
        f"/api/v1/bots/{paper_bot.pk}/orders",
        data=json.dumps({"intent": "open", "side": "long", "size_usd": "10"}),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_an_outdated_csrf_token_goes_back_to_the_page_with_a_word(bob, paper_bot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(
        f"/bots/{paper_bot.pk}/orders/open",
        data=json.dumps({"side": "long", "size_usd": "10"}),
        content_type="application/json",
        HTTP_X_INERTIA="true",
        HTTP_X_CSRFTOKEN="outdated-token-from-an-old-page-0000000000000000",
        HTTP_REFERER=f"http://testserver/bots/{paper_bot.pk}",
    )
    # Not Django's bare 403 page in an Inertia modal: the client reloads the page it was on.
    assert response.status_code == 409
    assert response["X-Inertia-Location"] == f"/bots/{paper_bot.pk}"
    assert Order.objects.count() == 0
    page = json.loads(client.get(f"/bots/{paper_bot.pk}", HTTP_X_INERTIA="true").content)
    assert page["props"]["flash"] == [
        {
            "level": "warning",
            "message": "This page was out of date, so nothing was sent. Try again.",
        }
    ]


def test_an_outdated_csrf_token_on_a_plain_form_is_a_403_in_words(bob, paper_bot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(f"/bots/{paper_bot.pk}/orders/open", {"side": "long"})
    assert response.status_code == 403
    assert "This page was out of date, so nothing was sent." in response.content.decode()
    assert Order.objects.count() == 0
