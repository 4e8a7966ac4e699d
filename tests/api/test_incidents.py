"""GET /api/v1/incidents: admin only (403 for users)."""

from __future__ import annotations

import pytest

from egis.ledger.incidents import incident_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(paper_bot):
    return incident_record(
        kind="drift",
        bot_id=paper_bot.pk,
        payload={"symbol": "ETHUSDT", "ledger_qty": "0.003", "venue_qty": "0"},
        error="ledger holds 0.003 ETHUSDT, the venue 0",
    )


def test_the_admin_lists_open_incidents(as_alice, incident):
    body = as_alice.get("/incidents").json()
    assert body["count"] == 1
    (row,) = body["items"]
    assert row["id"] == incident.pk
    assert row["kind"] == "drift" and row["status"] == "open"
    assert row["payload"]["venue_qty"] == "0"


def test_filters(as_alice, incident, paper_bot):
    assert as_alice.get("/incidents?status=resolved").json()["count"] == 0
    assert as_alice.get(f"/incidents?bot_id={paper_bot.pk}").json()["count"] == 1
    assert as_alice.get("/incidents?bot_id=999").json()["count"] == 0


@pytest.mark.parametrize("persona", ["as_bob", "as_charlie"])
def test_users_get_403_even_for_their_own_bots(request, persona, incident):
    client = request.getfixturevalue(persona)
    response = client.get("/incidents")
    assert response.status_code == 403
    assert "items" not in response.json()


def test_a_bot_with_an_open_incident_says_so(as_bob, incident, paper_bot):
    assert as_bob.get(f"/bots/{paper_bot.pk}").json()["has_open_incident"] is True


def test_the_admin_gets_one_with_its_actions(as_alice, incident):
    body = as_alice.get(f"/incidents/{incident.pk}").json()
    assert body["id"] == incident.pk
    assert "close-position" in body["actions"]


@pytest.mark.parametrize("persona", ["as_bob", "as_charlie"])
def test_users_get_403_on_one_and_on_resolve(request, persona, incident):
    client = request.getfixturevalue(persona)
    assert client.get(f"/incidents/{incident.pk}").status_code == 403
    response = client.post(
        f"/incidents/{incident.pk}/resolve", {"action": "acknowledge", "reason": "x"}
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "open"


def test_a_missing_one_is_404_for_the_admin(as_alice):
    assert as_alice.get("/incidents/999").status_code == 404
    response = as_alice.post("/incidents/999/resolve", {"action": "acknowledge", "reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete-everything", "reason": "x"}, "action"),
        ({"action": "acknowledge"}, "reason"),
        ({"action": "acknowledge", "reason": ""}, "reason"),
        ({"action": "close-position", "reason": "x", "price": True}, "price"),
        ({"action": "close-position", "reason": "x", "position_id": 0}, "position_id"),
    ],
)
def test_bad_resolve_input_is_422(as_alice, incident, body, field):
    response = as_alice.post(f"/incidents/{incident.pk}/resolve", body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.django_db(transaction=True)
def test_the_admin_resolves_by_closing_the_position_then_a_second_resolve_is_409(
    as_alice, paper_bot, alice
):
    from egis.ledger.models import Position
    from egis.ledger.pipeline import order_open

    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    drift = incident_record(
        kind="drift",
        bot_id=paper_bot.pk,
        payload={"symbol": "ETHUSDT", "position_id": position.pk},
        error="the venue holds nothing",
    )
    body = {
        "action": "close-position",
        "reason": "venue flat; closing in the ledger",
        "price": "2950.00",
        "position_id": position.pk,
    }
    response = as_alice.post(f"/incidents/{drift.pk}/resolve", body)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["action"] == "close-position"
    assert answer["incident"]["status"] == "resolved"
    assert answer["incident"]["resolved_by"] == "alice"
    assert Position.objects.get(pk=position.pk).status == "closed"

    again = as_alice.post(f"/incidents/{drift.pk}/resolve", body)
    assert again.status_code == 409
    assert "already resolved" in again.json()["detail"]
