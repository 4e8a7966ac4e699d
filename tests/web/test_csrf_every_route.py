"""Every page route that accepts POST refuses a logged-in POST without the CSRF token (walked
from the URL conf, so a route added later is covered too) and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern

from egis.accounts.models import User
from egis.bots.models import Bot
from egis.web.urls import urlpatterns

pytestmark = pytest.mark.django_db

ALL_ROUTES = ["/" + str(p.pattern) for p in urlpatterns if isinstance(p, URLPattern)]
# The signal webhook takes no session: its credentials are the hook id and the body's secret
# (or an HMAC signature), so CSRF does not apply; a session grants it nothing (test below).
CSRF_EXEMPT = {"/hooks/<str:hook_id>"}
ROUTES = [r for r in ALL_ROUTES if r not in CSRF_EXEMPT]


def _url(route: str, ids: dict[str, int]) -> str:
    for name, value in ids.items():
        route = route.replace(f"<int:{name}>", str(value))
    assert "<" not in route, route
    return route


def test_the_walk_sees_every_route():
    assert len(ALL_ROUTES) == len(urlpatterns) >= 20
    assert set(ALL_ROUTES) >= CSRF_EXEMPT


def test_the_webhook_gives_a_session_nothing(alice, paper_bot):
    from egis.signals.hooks import hook_create
    from egis.signals.models import Signal

    hook = hook_create(bot_id=paper_bot.pk).hook
    from tests.support.app_client import AppClient

    strict = AppClient(enforce_csrf_checks=True)  # as gunicorn serves the webhook
    strict.force_login(alice)
    body = '{"action": "open", "side": "long", "size_usd": "10"}'
    response = strict.post(f"/hooks/{hook.hook_id}", data=body, content_type="application/json")
    assert response.status_code == 404
    assert not Signal.objects.exists()


@pytest.mark.parametrize("route", ROUTES)
def test_a_session_post_without_csrf_is_refused(alice, bob, paper_bot, route):
    ids = {"bot_id": paper_bot.pk, "position_id": 1, "incident_id": 1, "user_id": bob.pk}
    url = _url(route, {**ids, "token_id": 1})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)  # the admin: no route refuses her for lack of rights
    users_before = list(User.objects.order_by("id").values())
    bots_before = list(Bot.objects.order_by("id").values())
    response = strict.post(url, data="{}", content_type="application/json")
    # The CSRF check runs before the method check: 403 everywhere, the login form included.
    assert response.status_code == 403, (url, response.status_code)
    assert list(User.objects.order_by("id").values()) == users_before
    assert list(Bot.objects.order_by("id").values()) == bots_before
