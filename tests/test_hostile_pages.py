"""Every page route, walked from the URL resolver (a route added later is covered too), with the
hostile corpus of issue 10: no answer is a 5xx and nothing is written.

Input routes (forms) get every field set to values that no field accepts, whole bodies that are
not a form (malformed, too deep, not UTF-8, oversize, another content type) and hostile query
strings. Action routes (a POST that acts on the object in its path and reads no field) get the
same, aimed at ids that do not exist or that no column holds. Then the issue's own cases, each
with its error shown next to the field that caused it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from egis.accounts.models import ApiToken, User
from egis.bots.models import Bot
from egis.core.window_counter import window_reset_all
from egis.exits.models import Exit
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.notifications.models import Delivery, NotificationSettings
from egis.notifications.services import notify_settings_update
from egis.signals.hooks import hook_create
from egis.signals.models import Signal
from egis.venues.models import ExchangeAccount
from egis.venues.paper.models import PaperFill, PaperPosition
from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db(transaction=True)


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    out = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith("api/"):  # the API has its own walker (test_hostile_api)
                out += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            out.append("/" + route)
    return out


ROUTES = _routes(get_resolver().url_patterns)
# A POST that acts on the object its path names and reads no field: only the path is input.
ACTION_ROUTES = {
    "/logout",
    "/bots/<int:bot_id>/delete",
    "/bots/<int:bot_id>/positions/<int:position_id>/close",
    "/bots/<int:bot_id>/positions/<int:position_id>/archive",
    "/users/<int:user_id>/deactivate",
    "/users/<int:user_id>/activate",
    "/users/<int:user_id>/unlock",
    "/users/<int:user_id>/password-reset",  # reads no field: it makes a new password
    "/settings/tokens/<int:token_id>/revoke",
    "/bots/<int:bot_id>/hook",
    "/bots/<int:bot_id>/hook/rotate",
    "/bots/<int:bot_id>/hook/revoke",
    "/settings/notifications/test",
    "/settings/notifications/webhook-secret",  # reads no field: it makes a new secret
}
FIELDS = [
    "name",
    "venue",
    "symbol",
    "budget_usd",
    "leverage",
    "exchange_account",
    "is_active",
    "max_open_positions",
    "max_order_usd",
    "cooldown_s",
    "daily_loss_limit_usd",
    "side",
    "size_usd",
    "reason",
    "resolution",
    "username",
    "password",
    "role",
    "next",
    "environment",
    "api_key",
    "api_secret",
    "label",
    "confirm",
    "current_password",
    "new_password",
    "confirm_password",
    "price",
    "take_profit",  # exits (issue 12)
    "stop_loss",
    "trailing_stop",
    "telegram_token",
    "telegram_chat_id",
    "webhook_url",
    "events",
]
# No field of any form accepts these: every input route must refuse them and write nothing.
REFUSED_EVERYWHERE = ["\x00", "bad\x00value", "esc\x1b[31m", "x" * 10_000]
# Not strings: they must not crash (a huge integer is read as its digits; null as left out).
ODD_VALUES = [[], {}, [1, 2], 10**30, True, None, "\ud800"]
# The wrong JSON type for every field (an object, an array): refused, never read as empty (an
# empty field lets its default apply: an object as a token's name made an unnamed token).
WRONG_TYPES = [{}, {"a": "b"}, [], [1, 2]]
QUERY = "page=%C2%B2&next=%0d%0aX:1&status=%00&debug=" + "x" * 5000
HUGE_IDS = [2**63, 10**30, 2**63 - 1]


def _url(route: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        route = route.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    assert "<" not in route, route
    return route


@pytest.fixture
def world(alice, bob, paper_bot, settings):
    # Alice's notification channels exist, so a hostile post that changed them would show.
    settings.EGIS_TELEGRAM_API_BASE = "http://127.0.0.1:9"  # nothing listens: never the internet
    notify_settings_update(
        user=alice,
        telegram_token="123:" + "a" * 30,
        telegram_chat_id="42",
        webhook_url="https://example.com/egis",
    )
    kept = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    done = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    order_close(bot_id=paper_bot.pk, position_id=done.position.pk)
    incident = incident_record(kind="drift", bot_id=paper_bot.pk, payload={"symbol": "ETHUSDT"})
    token = ApiToken.objects.create(user=alice, name="kept", prefix="p1", token_hash="0" * 64)
    client = AppClient()  # routes like egis.wsgi: /hooks/ through the webhook's own chain
    client.force_login(alice)  # the admin: no route refuses her for lack of rights
    return {
        "ids": {
            "bot_id": paper_bot.pk,
            "position_id": kept.position.pk,
            "incident_id": incident.pk,
            "user_id": bob.pk,
            "token_id": token.pk,
            # The webhook (no session, no CSRF): a real hook id, so the secret check is reached.
            "hook_id": hook_create(bot_id=paper_bot.pk).hook.hook_id,
        },
        "client": client,
    }


def _snapshot() -> tuple:
    return (
        list(User.objects.order_by("id").values("id", "username", "role", "is_active")),
        list(Bot.objects.order_by("id").values()),
        list(Position.objects.order_by("id").values()),
        list(Order.objects.order_by("id").values()),
        list(Incident.objects.order_by("id").values()),
        list(ApiToken.objects.order_by("id").values("id", "name", "revoked_at")),
        list(ExchangeAccount.objects.order_by("id").values()),
        list(PaperFill.objects.order_by("id").values()),
        list(PaperPosition.objects.order_by("id").values()),
        list(Signal.objects.order_by("id").values()),
        list(Exit.objects.order_by("id").values()),
        list(NotificationSettings.objects.order_by("id").values()),
        list(Delivery.objects.order_by("id").values()),
    )


def _bodies() -> list[tuple[str | bytes, str]]:
    """Whole bodies that are not a form Egis reads, plus every field set to a refused value."""
    bodies: list[tuple[str | bytes, str]] = [
        ("[" * 3000 + "]" * 3000, "application/json"),
        ('{"name":' * 3000 + "1" + "}" * 3000, "application/json"),
        ("not json", "application/json"),
        (b'{"name": "\xff"}', "application/json"),
        ("1" * 5000, "application/json"),
        (json.dumps({"name": "x" * 70_000}), "application/json"),
        (json.dumps({"name": "x" * 3_000_000}), "application/json"),
        ("a=" + "x" * 3_000_000, "application/x-www-form-urlencoded"),
        ("&".join(f"f{i}=1" for i in range(2000)), "application/x-www-form-urlencoded"),
        ("<bot><name>x</name></bot>", "application/xml"),
        ('{"name": "x"}', "text/plain"),
    ]
    for value in REFUSED_EVERYWHERE:
        bodies.append((json.dumps(dict.fromkeys(FIELDS, value)), "application/json"))
        form = "&".join(f"{f}={quote(value)}" for f in FIELDS)
        bodies.append((form, "application/x-www-form-urlencoded"))
    return bodies


def _walk(client: Client, url: str, bodies: list[tuple[str | bytes, str]]) -> list[tuple]:
    failures = []
    response = client.get(f"{url}?{QUERY}")
    if response.status_code >= 500:
        failures.append(("GET", url, response.status_code))
    for body, ctype in bodies:
        cache.clear()  # the login throttle must not hide the login form's own parsing
        window_reset_all()
        response = client.generic("POST", url, data=body, content_type=ctype)
        if response.status_code >= 500:
            failures.append(("POST", url, ctype, str(body)[:40], response.status_code))
    return failures


def test_the_walk_sees_every_page_route():
    assert len(ROUTES) >= 22
    assert "/login" in ROUTES and "/bots/<int:bot_id>/orders/open" in ROUTES
    assert set(ROUTES) >= ACTION_ROUTES


@pytest.mark.parametrize("route", sorted(set(ROUTES) - ACTION_ROUTES))
def test_input_routes_refuse_hostile_input_and_write_nothing(world, route):
    url = _url(route, world["ids"])
    before = _snapshot()
    failures = _walk(world["client"], url, _bodies())
    assert not failures, failures
    assert _snapshot() == before
    odd = [(json.dumps(dict.fromkeys(FIELDS, v)), "application/json") for v in ODD_VALUES]
    assert not _walk(world["client"], url, odd)
    before = _snapshot()  # a huge number is a valid name, null a name left out: both write
    wrong = [(json.dumps(dict.fromkeys(FIELDS, v)), "application/json") for v in WRONG_TYPES]
    wrong += [(json.dumps(v), "application/json") for v in WRONG_TYPES[2:]]  # not an object
    assert not _walk(world["client"], url, wrong)
    assert _snapshot() == before


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_ids_no_column_holds_are_404_and_write_nothing(world, route):
    if "<int:" not in route:
        pytest.skip("no id in the path")
    before = _snapshot()
    failures = []
    for huge in HUGE_IDS:
        url = _url(route, dict.fromkeys(world["ids"], huge))
        failures += _walk(world["client"], url, _bodies()[:3])
    assert not failures, failures
    assert _snapshot() == before


@pytest.mark.parametrize("route", sorted(ACTION_ROUTES))
def test_action_routes_with_real_ids_never_give_a_5xx(world, route):
    url = _url(route, world["ids"])
    assert not _walk(world["client"], url, _bodies())


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_anonymous_hostile_posts_never_give_a_5xx(world, route):
    # The login form reads its body before anyone is signed in: the deep-JSON 500 of the issue.
    before = _snapshot()
    assert not _walk(AppClient(), _url(route, world["ids"]), _bodies())
    assert _snapshot() == before


# --- the cases, each refused next to its field ---------------------------------------


def _post(client: Client, url: str, data: dict[str, Any]):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _errors(client: Client, url: str) -> dict[str, str]:
    page = client.get(url, HTTP_X_INERTIA="true")
    assert page.status_code == 200
    return page.json()["props"]["errors"]


NEW_BOT = {"name": "N", "venue": "paper", "symbol": "ETHUSDT", "budget_usd": "50", "leverage": "1"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"budget_usd": "100000000000"}, "budget_usd"),
        ({"budget_usd": "1e11"}, "budget_usd"),
        ({"budget_usd": "1e30"}, "budget_usd"),
        ({"budget_usd": 100000000000}, "budget_usd"),
        ({"budget_usd": "\uff11\uff10"}, "budget_usd"),
        ({"budget_usd": "1_0"}, "budget_usd"),
        ({"name": "x" * 200}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"leverage": "\u00b2"}, "leverage"),
        ({"venue": "binance_futures", "exchange_account": "\u00b2"}, "exchange_account"),
        ({"max_open_positions": "\u00b2"}, "max_open_positions"),
        ({"max_order_usd": "1e30"}, "max_order_usd"),
        ({"cooldown_s": "0"}, "cooldown_s"),
        ({"daily_loss_limit_usd": "-5"}, "daily_loss_limit_usd"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_the_new_bot_form_shows_each_refusal_next_to_its_field(world, change, field):
    client = world["client"]
    before = _snapshot()
    response = _post(client, "/bots/new", {**NEW_BOT, **change})
    assert response.status_code == 303
    assert list(_errors(client, "/bots/new")) == [field]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"leverage": "\u00b2"}, "leverage"),
        ({"budget_usd": "1e30"}, "budget_usd"),
        ({"name": "x" * 200}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"max_order_usd": "10.001"}, "max_order_usd"),
        ({"cooldown_s": "\u0661"}, "cooldown_s"),
    ],
    ids=lambda v: repr(v)[:40],
)
def test_the_edit_form_shows_each_refusal_next_to_its_field(world, change, field):
    client, bot_id = world["client"], world["ids"]["bot_id"]
    before = _snapshot()
    _post(client, f"/bots/{bot_id}/edit", {**NEW_BOT, "is_active": True, **change})
    assert list(_errors(client, f"/bots/{bot_id}/edit")) == [field]
    assert _snapshot() == before


@pytest.mark.parametrize("size", ["1e30", "9" * 29, "1_0", "\u0661\u0660", " 10 ", "+10", "1E+1"])
def test_an_open_with_an_amount_off_the_grammar_is_refused_next_to_the_amount(world, size):
    client, bot_id = world["client"], world["ids"]["bot_id"]
    before = _snapshot()
    response = _post(client, f"/bots/{bot_id}/orders/open", {"side": "long", "size_usd": size})
    assert response.status_code == 303
    assert list(_errors(client, f"/bots/{bot_id}")) == ["size_usd"]
    assert _snapshot() == before


def test_a_superscript_page_number_shows_the_first_page(world):
    response = world["client"].get(f"/bots/{world['ids']['bot_id']}?page=%C2%B2")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "data", "key"),
    [
        ("/settings/tokens", {"name": "t\x00ken"}, "token"),
        ("/settings/accounts", {"label": "l\x00bel", "environment": "demo"}, "account"),
        ("/users/new", {"username": "da\x00na", "role": "user"}, "user"),
        (
            "/settings/accounts",
            {"environment": "demo", "api_key": "abcdefgh1234", "api_secret": "se\x00cret"},
            "account",
        ),
    ],
)
def test_nul_in_a_name_is_refused_on_the_settings_and_users_pages(world, url, data, key):
    client = world["client"]
    before = _snapshot()
    _post(client, url, data)
    back = "/users" if url.startswith("/users") else "/settings"
    assert key in _errors(client, back)
    assert _snapshot() == before


def test_a_nul_in_the_login_user_name_is_a_wrong_login(world):
    client = Client()
    response = _post(client, "/login", {"username": "bob\x00", "password": "pw-bob-12345"})
    assert response.status_code == 303 and response["Location"] == "/login"
    assert "form" in _errors(client, "/login")
