"""A page form field sent as the wrong JSON type (an object, an array, true) is refused next to
that field, "... must be text", and nothing is written; a field left out or null stays optional.

Before, egis.web.inertia.field() read such a value as "", so the field's default applied in
silence: an object as a token's name made "Unnamed token", as a new user's role a plain user.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egis.accounts.models import ApiToken, User
from egis.bots.models import Bot
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position
from egis.signals.hooks import hook_create

pytestmark = pytest.mark.django_db

WRONG_TYPES = [{}, {"a": "b"}, [], ["x"], True, False]
NEW_BOT = {"name": "N", "venue": "paper", "symbol": "ETHUSDT", "budget_usd": "50", "leverage": "1"}
RISK = {"max_open_positions": "2", "max_order_usd": "20", "cooldown_s": "5"}


def _post(client: Client, url: str, data: dict[str, Any]):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _errors(client: Client, url: str) -> dict[str, str]:
    page = client.get(url, HTTP_X_INERTIA="true")
    assert page.status_code == 200
    return page.json()["props"]["errors"]


def _flash(client: Client, url: str) -> list[str]:
    page = client.get(url, HTTP_X_INERTIA="true")
    return [m["message"] for m in page.json()["props"]["flash"]]


def _snapshot() -> tuple:
    return (
        list(User.objects.order_by("id").values("id", "username", "role", "is_active")),
        list(Bot.objects.order_by("id").values()),
        list(Position.objects.order_by("id").values()),
        list(Order.objects.order_by("id").values()),
        list(Incident.objects.order_by("id").values()),
        list(ApiToken.objects.order_by("id").values("id", "name", "revoked_at")),
    )


@pytest.fixture
def admin(alice):
    client = Client()
    client.force_login(alice)
    return client


def _forms(paper_bot, bob) -> list[tuple[str, dict[str, Any], str, dict[str, str]]]:
    """(url, a body that is valid or near it, the page its errors show on, field -> error key)."""
    bot = paper_bot.pk
    incident = incident_record(kind="drift", bot_id=bot, payload={"symbol": "ETHUSDT"})
    bot_keys = {k: k for k in [*NEW_BOT, *RISK]} | {"venue": "form"}
    return [
        ("/settings/tokens", {"name": "t1"}, "/settings", {"name": "token"}),
        (
            "/settings/accounts",
            {
                "environment": "demo",
                "api_key": "abcdefgh1234",
                "api_secret": "s" * 20,
                "label": "L",
            },
            "/settings",
            dict.fromkeys(["environment", "api_key", "api_secret", "label"], "account"),
        ),
        (
            "/settings/password",
            {"current_password": "pw-alice-123", "new_password": "x", "confirm_password": "x"},
            "/settings",
            dict.fromkeys(["current_password", "new_password", "confirm_password"], "password"),
        ),
        (
            "/users/new",
            {"username": "dana", "role": "admin", "password": "a-long-pass-123"},
            "/users",
            dict.fromkeys(["username", "role", "password"], "user"),
        ),
        ("/bots/new", {**NEW_BOT, **RISK}, "/bots/new", bot_keys),
        (f"/bots/{bot}/edit", {**NEW_BOT, **RISK}, f"/bots/{bot}/edit", bot_keys),
        (
            f"/bots/{bot}/orders/open",
            {"side": "long", "size_usd": "10", "idempotency_key": "k-1"},
            f"/bots/{bot}",
            {"side": "order", "size_usd": "size_usd", "idempotency_key": "order"},
        ),
        (
            f"/incidents/{incident.pk}/resolve",
            {"reason": "checked", "resolution": "acknowledge", "price": ""},
            "/incidents",
            dict.fromkeys(["reason", "resolution", "price"], f"incident_{incident.pk}"),
        ),
    ]


def test_a_wrong_typed_field_is_refused_next_to_it_and_writes_nothing(admin, paper_bot, bob):
    cases = 0
    for url, body, back, keys in _forms(paper_bot, bob):
        for name, key in keys.items():
            for wrong in WRONG_TYPES:
                before = _snapshot()
                response = _post(admin, url, {**body, name: wrong})
                assert response.status_code == 303, (url, name, wrong)
                errors = _errors(admin, back)
                assert "must be text" in errors.get(key, ""), (url, name, wrong, errors)
                assert _snapshot() == before, (url, name, wrong)
                cases += 1
    assert cases > 100


@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_the_login_refuses_a_wrong_typed_field(bob, wrong):
    for name in ("username", "password", "next"):
        client = Client()
        body = {"username": "bob", "password": "pw-bob-12345", "next": "/", name: wrong}
        response = _post(client, "/login", body)
        assert response.status_code == 303 and response["Location"] == "/login"
        errors = _errors(client, "/login")
        key = "username" if name == "username" else "form"
        assert errors.get(key) == f"{name[:1].upper()}{name[1:]} must be text.", errors
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_a_role_that_is_not_text_is_refused(admin, bob, wrong):
    _post(admin, f"/users/{bob.pk}/role", {"role": wrong})
    assert any("role must be text" in m for m in _flash(admin, "/users"))
    bob.refresh_from_db()
    assert bob.role == "user"


@pytest.mark.parametrize("wrong", [{}, [], True, {"on": True}])
def test_signals_on_or_off_that_is_not_text_is_refused(admin, paper_bot, wrong):
    hook_create(bot_id=paper_bot.pk)
    before = _snapshot()
    _post(admin, f"/bots/{paper_bot.pk}/hook/enabled", {"enabled": wrong})
    assert _errors(admin, f"/bots/{paper_bot.pk}") == {"signals": "Choose on or off."}
    assert _snapshot() == before


@pytest.mark.parametrize("wrong", [{}, [], "maybe", [True]])
def test_active_that_is_not_a_flag_is_refused(admin, paper_bot, wrong):
    before = _snapshot()
    _post(admin, f"/bots/{paper_bot.pk}/edit", {**NEW_BOT, "is_active": wrong})
    errors = _errors(admin, f"/bots/{paper_bot.pk}/edit")
    assert errors == {"form": "Not saved: is_active must be true or false."}
    assert _snapshot() == before


@pytest.mark.parametrize("body", [[], [{"name": "t"}], "t", 5])
def test_a_json_body_that_is_not_an_object_is_a_400(admin, body):
    response = admin.post(
        "/settings/tokens", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


# --- optional fields stay optional when left out or null ----------------------------------


@pytest.mark.parametrize("left_out", [{}, {"name": None}, {"name": ""}], ids=repr)
def test_a_token_name_left_out_or_null_is_the_default(admin, alice, left_out):
    response = _post(admin, "/settings/tokens", left_out)
    assert response.status_code == 200  # the page that shows the new token once
    # No name: the settings page shows it as "Unnamed token".
    assert list(ApiToken.objects.filter(user=alice).values_list("name", flat=True)) == [""]


@pytest.mark.parametrize("left_out", [{}, {"role": None, "password": None}], ids=repr)
def test_a_new_user_with_role_and_password_left_out_is_a_user_with_a_generated_password(
    admin, left_out
):
    response = admin.post(
        "/users/new",
        data=json.dumps({"username": "dana", **left_out}),
        content_type="application/json",
        HTTP_X_INERTIA="true",
    )
    assert response.status_code == 200  # the page that shows the generated password once
    assert User.objects.get(username="dana").role == "user"
    assert response.json()["props"]["secret"]["title"] == "dana's password"


def test_risk_limits_left_out_or_null_are_off_and_an_int_is_read_as_its_digits(admin):
    body = {**NEW_BOT, "budget_usd": 50, "max_open_positions": None, "cooldown_s": 60}
    response = _post(admin, "/bots/new", body)
    assert response.status_code == 303, _errors(admin, "/bots/new")
    bot = Bot.objects.get(name="N")
    assert bot.max_open_positions is None and bot.cooldown_s == 60
