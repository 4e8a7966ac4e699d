"""/api/v1/bots/{id}/positions: filtered by status, newest first, paginated."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def history(paper_bot):
    """Three positions opened; the first one closed."""
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="30")
    order_close(bot_id=paper_bot.pk, position_id=first.pk)
    return paper_bot


def test_open_positions_show_executed_and_requested_size_and_mark(as_bob, history):
    body = as_bob.get(f"/bots/{history.pk}/positions?status=open").json()
    assert body["count"] == 2
    newest = body["items"][0]
    assert newest["status"] == "open"
    assert newest["requested_size_usd"] == "30.00"
    assert newest["size_usd"] == "29.3456"  # 0.010 ETH x 2934.56: the step rounds down
    assert newest["mark_price"] == "2934.56"
    assert newest["unrealized_pnl_usd"] is not None


def test_closed_positions(as_bob, history):
    body = as_bob.get(f"/bots/{history.pk}/positions?status=closed").json()
    assert body["count"] == 1
    (closed,) = body["items"]
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert closed["mark_price"] is None


def test_pagination(as_bob, history):
    first = as_bob.get(f"/bots/{history.pk}/positions?page_size=2").json()
    second = as_bob.get(f"/bots/{history.pk}/positions?page_size=2&page=2").json()
    beyond = as_bob.get(f"/bots/{history.pk}/positions?page_size=2&page=9").json()
    assert first["count"] == second["count"] == 3
    assert first["pages"] == 2
    ids = [p["id"] for p in first["items"]] + [p["id"] for p in second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3
    assert beyond["items"] == []


@pytest.mark.parametrize(
    "query", ["status=bogus", "page=0", "page_size=0", "page_size=201", "page=abc"]
)
def test_bad_query_is_422(as_bob, paper_bot, query):
    response = as_bob.get(f"/bots/{paper_bot.pk}/positions?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_another_user_gets_404_and_the_admin_sees_them(as_charlie, as_alice, history):
    assert as_charlie.get(f"/bots/{history.pk}/positions").status_code == 404
    assert as_alice.get(f"/bots/{history.pk}/positions").json()["count"] == 3


class TestArchive:
    def _closed(self, history):
        from egis.ledger.models import Position

        return Position.objects.get(bot=history, status="closed")

    def test_the_admin_archives_a_closed_position_which_stays_in_the_db(self, as_alice, history):
        closed = self._closed(history)
        response = as_alice.delete(f"/bots/{history.pk}/positions/{closed.pk}")
        assert response.status_code == 204
        closed.refresh_from_db()
        assert closed.archived_at is not None
        listed = as_alice.get(f"/bots/{history.pk}/positions").json()
        assert closed.pk not in [p["id"] for p in listed["items"]]

    def test_the_owner_gets_403_another_user_404(self, as_bob, as_charlie, history):
        closed = self._closed(history)
        assert as_bob.delete(f"/bots/{history.pk}/positions/{closed.pk}").status_code == 403
        assert as_charlie.delete(f"/bots/{history.pk}/positions/{closed.pk}").status_code == 404
        closed.refresh_from_db()
        assert closed.archived_at is None

    def test_an_open_position_is_409(self, as_alice, history):
        from egis.ledger.models import Position

        open_one = Position.objects.filter(bot=history, status="open").first()
        response = as_alice.delete(f"/bots/{history.pk}/positions/{open_one.pk}")
        assert response.status_code == 409
        open_one.refresh_from_db()
        assert open_one.archived_at is None

    def test_a_position_of_another_bot_is_404(self, as_alice, history):
        assert as_alice.delete(f"/bots/{history.pk}/positions/999999").status_code == 404
