"""Who may call the API: a bearer token or the browser session (with CSRF on writes)."""

from __future__ import annotations

import pytest
from django.test import Client

from egis.accounts.tokens import token_create, token_revoke
from egis.bots.models import Bot
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

CSRF_SECRET = "A" * 32  # any 32-char alphanumeric string is a valid csrftoken cookie value
NEW_BOT = {"name": "Session bot", "venue": "paper", "symbol": "ETHUSDT", "initial_budget_usd": "50"}


def _session_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_no_credentials_is_401_with_a_bearer_challenge(anonymous):
    response = anonymous.get("/bots")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer nonsense", "Basic Ym9iOnB3", "Token egis_x_y", "bearer"],
)
def test_a_bad_authorization_header_is_401(bob, header):
    token_create(user=bob)
    response = Client().get("/api/v1/bots", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_is_401(bob):
    token, raw = token_create(user=bob)
    assert ApiClient(raw).get("/bots").status_code == 200
    token_revoke(token_id=token.pk)
    assert ApiClient(raw).get("/bots").status_code == 401


def test_a_bad_token_is_401_even_with_a_valid_session(bob):
    client = _session_client(bob)
    response = client.get("/api/v1/bots", headers={"Authorization": "Bearer egis_bad_token"})
    assert response.status_code == 401


def test_token_writes_need_no_csrf(as_bob):
    response = as_bob.post("/bots", NEW_BOT)
    assert response.status_code == 201, response.json()


def test_session_reads_work_without_csrf(bob):
    response = _session_client(bob).get("/api/v1/bots")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_session_write_without_csrf_is_403_and_changes_nothing(bob):
    client = _session_client(bob)
    response = client.post("/api/v1/bots", NEW_BOT, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Bot.objects.exists()


def test_session_write_with_a_wrong_csrf_token_is_403(bob):
    client = _session_client(bob)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        "/api/v1/bots",
        NEW_BOT,
        content_type="application/json",
        headers={"X-CSRFToken": "B" * 32},
    )
    assert response.status_code == 403
    assert not Bot.objects.exists()


def test_session_write_with_csrf_succeeds(bob):
    client = _session_client(bob)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        "/api/v1/bots",
        NEW_BOT,
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert response.status_code == 201, response.json()
    assert Bot.objects.get().owner == bob


def test_session_delete_needs_csrf_too(bob, paper_bot):
    client = _session_client(bob)
    assert client.delete(f"/api/v1/bots/{paper_bot.pk}").status_code == 403
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.delete(f"/api/v1/bots/{paper_bot.pk}", headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 204


def test_an_inactive_users_token_is_401(bob, as_bob):
    bob.is_active = False
    bob.save()
    assert as_bob.get("/bots").status_code == 401


def test_schema_and_docs_are_served(anonymous):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["info"]["title"] == "Egis API"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "egis_<prefix>_<secret>",
    }
    paths = spec["paths"]
    for path in (
        "/api/v1/bots",
        "/api/v1/bots/{bot_id}",
        "/api/v1/bots/{bot_id}/budget",
        "/api/v1/bots/{bot_id}/positions",
        "/api/v1/bots/{bot_id}/orders",
        "/api/v1/bots/{bot_id}/paper-sync",
        "/api/v1/orders/{client_order_id}",
        "/api/v1/incidents",
    ):
        assert path in paths
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # assets served locally


def test_tokens_never_reach_the_log_even_in_debug(bob, caplog, settings):
    settings.DEBUG = True  # ninja's own bearer class logs bad headers in DEBUG; ours must not
    caplog.set_level("DEBUG")
    _, raw = token_create(user=bob)
    secret = raw.split("_", 2)[2]
    ApiClient(raw).get("/bots")
    ApiClient(raw[:-3] + "xyz").get("/bots")
    Client().get("/api/v1/bots", headers={"Authorization": f"Token {raw}"})
    ApiClient(raw).post("/bots/999/orders", raw="{")
    assert secret not in caplog.text
    assert secret[:-3] not in caplog.text
