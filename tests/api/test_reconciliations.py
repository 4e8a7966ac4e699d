"""GET /api/v1/reconciliations: admin only (403 for users)."""

from __future__ import annotations

import pytest

from egis.execution.incidents import incident_record

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
    body = as_alice.get("/reconciliations").json()
    assert body["count"] == 1
    (row,) = body["items"]
    assert row["id"] == incident.pk
    assert row["kind"] == "drift" and row["status"] == "open"
    assert row["payload"]["venue_qty"] == "0"


def test_filters(as_alice, incident, paper_bot):
    assert as_alice.get("/reconciliations?status=resolved").json()["count"] == 0
    assert as_alice.get(f"/reconciliations?bot_id={paper_bot.pk}").json()["count"] == 1
    assert as_alice.get("/reconciliations?bot_id=999").json()["count"] == 0


@pytest.mark.parametrize("persona", ["as_bob", "as_charlie"])
def test_users_get_403_even_for_their_own_bots(request, persona, incident):
    client = request.getfixturevalue(persona)
    response = client.get("/reconciliations")
    assert response.status_code == 403
    assert "items" not in response.json()


def test_a_bot_with_an_open_incident_says_so(as_bob, incident, paper_bot):
    assert as_bob.get(f"/bots/{paper_bot.pk}").json()["needs_reconciliation"] is True
