"""Every route in the schema, walked automatically: a route added later is covered too.

Anonymous callers get 401; Charlie (another user) gets 404 for Bob's things or 403 for admin
routes, and nothing changes; the admin reaches everything that exists.
"""

from __future__ import annotations

import pytest

from egis.api.main import api
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path)
    for path, methods in SCHEMA["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]
BODIES = {
    "/api/v1/bots/{bot_id}/orders": {"intent": "open", "side": "long", "size_usd": "10"},
    "/api/v1/bots/{bot_id}/paper-sync": {"confirm": True},
    "/api/v1/incidents/{incident_id}/resolve": {
        "action": "close-position",
        "reason": "probe",
        "price": "2900",
    },
    "/api/v1/bots": {"name": "x", "symbol": "ETHUSDT", "initial_budget_usd": "10"},
    "/api/v1/bots/{bot_id}": {"name": "renamed by the walk"},  # PATCH
    "/api/v1/bots/{bot_id}/positions/{position_id}/exits": {"stop_loss": {"pct": "1"}},  # PUT
    "/api/v1/bots/{bot_id}/close-all": {"expected": 1},  # admins only: Bob's one open position
}
ADMIN_ONLY = {
    "/api/v1/incidents",
    "/api/v1/incidents/{incident_id}",
    "/api/v1/incidents/{incident_id}/resolve",
}
# Answer with the caller's own things, never another's.
OWN_SCOPED = {"/api/v1/bots", "/api/v1/portfolio"}


@pytest.fixture
def bobs_things(paper_bot):
    kept = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    done = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    order_close(bot_id=paper_bot.pk, position_id=done.position.pk)
    incident = incident_record(kind="drift", bot_id=paper_bot.pk, payload={"symbol": "ETHUSDT"})
    return {
        "bot_id": paper_bot.pk,
        "position_id": done.position.pk,
        "client_order_id": kept.order.client_order_id,
        "incident_id": incident.pk,
    }


def _snapshot() -> tuple:
    return (
        list(Position.objects.order_by("id").values()),
        list(Order.objects.order_by("id").values()),
        list(Incident.objects.order_by("id").values("id", "status")),
    )


def _call(client, method: str, path: str, ids: dict):
    url = path.removeprefix("/api/v1").format(**ids)
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url)
    if method == "PATCH":
        return client.patch(url, BODIES.get(path, {}))
    if method == "PUT":
        return client.put(url, BODIES.get(path, {}))
    return client.post(url, BODIES.get(path, {}))


def test_the_walk_sees_every_route():
    assert len(OPERATIONS) >= 13


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_gets_401(anonymous, bobs_things, method, path):
    response = _call(anonymous, method, path, bobs_things)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_another_user_gets_404_or_403_and_changes_nothing(as_charlie, bobs_things, method, path):
    before = _snapshot()
    response = _call(as_charlie, method, path, bobs_things)
    if path in OWN_SCOPED:
        assert response.status_code in (200, 201)
        if method == "GET" and "items" in response.json():
            assert bobs_things["bot_id"] not in [b["id"] for b in response.json()["items"]]
        if path == "/api/v1/portfolio":
            assert response.json()["bots"] == 0  # Charlie has none; Bob's are not counted
        return
    expected = 403 if path in ADMIN_ONLY else 404
    assert response.status_code == expected, response.json()
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_admin_is_never_refused_for_lack_of_rights(as_alice, bobs_things, method, path):
    response = _call(as_alice, method, path, bobs_things)
    assert response.status_code not in (401, 403, 404), (response.status_code, response.json())
    assert response.status_code < 500
