"""GET /api/v1/orders/{client_order_id}: the owner or an admin; anyone else gets 404."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bobs_order(paper_bot):
    return order_open(bot_id=paper_bot.pk, side="long", size_usd="10").order


def test_the_owner_looks_an_order_up_by_client_order_id(as_bob, bobs_order):
    response = as_bob.get(f"/orders/{bobs_order.client_order_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["order"]["client_order_id"] == bobs_order.client_order_id
    assert body["order"]["executed_qty"] == "0.003"
    assert body["position"]["size_usd"] == "8.80368"


def test_the_admin_sees_any_order(as_alice, bobs_order):
    assert as_alice.get(f"/orders/{bobs_order.client_order_id}").status_code == 200


def test_another_user_gets_the_same_404_as_for_a_missing_order(as_charlie, bobs_order):
    theirs = as_charlie.get(f"/orders/{bobs_order.client_order_id}")
    missing = as_charlie.get("/orders/egis-1-00000000000000000000")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


@pytest.mark.parametrize("bad", ["x" * 37, "a%20b", "%00", "..%2F..%2Fetc"])
def test_malformed_ids_are_4xx(as_bob, paper_bot, bad):
    response = as_bob.get(f"/orders/{bad}")
    assert 400 <= response.status_code < 500
