"""POST /api/v1/bots/{id}/orders: every answer of the order pipeline, over HTTP.

Failures after the venue call are produced for real: a SQLite trigger makes the database refuse
a write (the ledger's settle, or the paper venue's own book), as a full disk or a bad migration
would. No code of ours is patched.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_10 = {"intent": "open", "side": "long", "size_usd": "10"}


def _orders(bot: Bot) -> str:
    return f"/bots/{bot.pk}/orders"


class TestOpen:
    def test_open_books_the_executed_size_and_keeps_the_request(self, as_bob, paper_bot):
        response = as_bob.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["order"]["intent"] == "open"
        assert body["order"]["status"] == "filled"
        assert body["order"]["client_order_id"].startswith(f"egis-{paper_bot.pk}-")
        assert body["position"]["status"] == "open"
        assert body["position"]["size_usd"] == "8.80368"
        assert body["position"]["requested_size_usd"] == "10.00"
        assert Position.objects.get(pk=body["position"]["id"]).size_usd == Decimal("8.80368")

    @pytest.mark.parametrize(("raw", "requested"), [("10", "10.00"), ("10.1", "10.10")])
    def test_json_numbers_are_read_exactly(self, as_bob, paper_bot, raw, requested):
        response = as_bob.post(
            _orders(paper_bot),
            raw=f'{{"intent": "open", "side": "long", "size_usd": {raw}}}',
        )
        assert response.status_code == 201, response.json()
        assert response.json()["position"]["requested_size_usd"] == requested

    def test_a_body_naming_a_field_twice_is_refused_not_read_as_its_last(self, as_bob, paper_bot):
        response = as_bob.post(
            _orders(paper_bot),
            raw='{"intent": "open", "side": "long", "size_usd": "10", "side": "short"}',
        )
        assert response.status_code == 400, response.json()
        assert "'side' appears twice" in json.dumps(response.json())
        assert not Order.objects.exists()

    def test_a_json_number_is_never_rounded_through_float(self, as_bob, paper_bot):
        # As a float this is exactly 10.1 and would pass; read exactly it has 20 decimals.
        response = as_bob.post(
            _orders(paper_bot),
            raw='{"intent": "open", "side": "long", "size_usd": 10.10000000000000000001}',
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "size_usd"
        assert "decimal places" in response.json()["detail"]
        assert not Order.objects.exists()

    def test_the_admin_may_trade_any_bot(self, as_alice, paper_bot, alice):
        response = as_alice.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 201
        assert Order.objects.get().created_by == alice

    def test_another_user_gets_404_and_nothing_is_sent(self, as_charlie, paper_bot):
        response = as_charlie.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 404
        assert not Order.objects.exists() and not Position.objects.exists()

    def test_not_enough_budget_is_409_naming_both_amounts(self, as_bob, paper_bot):
        response = as_bob.post(_orders(paper_bot), {**OPEN_10, "size_usd": "100.01"})
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "not_enough_budget"
        assert body["available_usd"] == "100.00"
        assert body["requested_usd"] == "100.01"
        assert "Not enough budget" in body["detail"]
        assert not Order.objects.exists()

    def test_below_min_notional_is_422(self, as_bob, paper_bot):
        response = as_bob.post(_orders(paper_bot), {**OPEN_10, "size_usd": "1"})
        assert response.status_code == 422
        assert response.json()["code"] == "order_size"

    def test_a_halted_bot_refuses_opens_with_409(self, as_bob, paper_bot):
        Bot.objects.filter(pk=paper_bot.pk).update(halted_reason="drift on ETHUSDT")
        response = as_bob.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 409
        assert response.json()["code"] == "bot_not_tradable"

    def test_no_price_is_503_before_any_order(self, as_bob, bob, paper_filters):
        bot = bot_create(owner=bob, name="b", venue="paper", symbol="BTCUSDT", budget_usd="500")
        response = as_bob.post(_orders(bot), {**OPEN_10, "size_usd": "200"})
        assert response.status_code == 503
        assert response.json()["code"] == "venue_not_ready"
        assert not Order.objects.exists()


class TestClose:
    def test_close_then_close_again(self, as_bob, paper_bot):
        opened = as_bob.post(_orders(paper_bot), OPEN_10).json()["position"]
        close = {"intent": "close", "position_id": opened["id"]}

        first = as_bob.post(_orders(paper_bot), close)
        assert first.status_code == 201, first.json()
        assert first.json()["order"]["intent"] == "close"
        assert first.json()["order"]["reduce_only"] is True
        assert first.json()["position"]["status"] == "closed"

        again = as_bob.post(_orders(paper_bot), close)
        assert again.status_code == 409
        assert again.json()["code"] == "position_not_open"
        assert "closed" in again.json()["detail"]

    def test_closing_another_bots_position_is_404(self, as_bob, paper_bot, bob):
        other = bot_create(owner=bob, name="o", venue="paper", symbol="ETHUSDT", budget_usd="50")
        position = order_open(bot_id=other.pk, side="long", size_usd="10").position
        response = as_bob.post(_orders(paper_bot), {"intent": "close", "position_id": position.pk})
        assert response.status_code == 404
        assert response.json()["code"] == "position_not_found"

    def test_a_position_already_closing_is_409(self, as_bob, paper_bot, db_refuses):
        position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
        db_refuses("paper_book_frozen", "BEFORE UPDATE ON paper_positions")
        close = {"intent": "close", "position_id": position.pk}
        first = as_bob.post(_orders(paper_bot), close)
        assert first.status_code == 503  # fate unknown: the close stays in flight

        second = as_bob.post(_orders(paper_bot), close)
        assert second.status_code == 409
        assert second.json()["code"] == "position_busy"
        assert "already closing" in second.json()["detail"]


class TestAfterTheVenue:
    def test_venue_refused_close_is_409_naming_the_order_and_the_incident(self, as_bob, paper_bot):
        position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
        PaperPosition.objects.all().delete()  # drift: the venue has nothing to reduce
        response = as_bob.post(_orders(paper_bot), {"intent": "close", "position_id": position.pk})
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "venue_rejected"
        order = Order.objects.get(intent="close")
        assert body["client_order_id"] == order.client_order_id
        incident = Incident.objects.get(pk=body["incident_id"])
        assert incident.kind == "venue_refused_close"

    def test_db_failure_after_the_fill_is_502_naming_the_order_and_the_incident(
        self, as_bob, paper_bot, db_refuses
    ):
        db_refuses("settle_fails", "BEFORE UPDATE ON orders", "NEW.status = 'filled'")
        response = as_bob.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 502
        body = response.json()
        assert body["code"] == "not_booked"
        order = Order.objects.get()
        assert body["client_order_id"] == order.client_order_id
        assert order.client_order_id in body["detail"]
        incident = Incident.objects.get(pk=body["incident_id"])
        assert incident.client_order_id == order.client_order_id

    def test_unknown_outcome_is_503_naming_the_order(self, as_bob, paper_bot, db_refuses):
        db_refuses("paper_book_down", "BEFORE INSERT ON paper_positions")
        response = as_bob.post(_orders(paper_bot), OPEN_10)
        assert response.status_code == 503
        body = response.json()
        assert body["code"] == "outcome_unknown"
        order = Order.objects.get()
        assert body["client_order_id"] == order.client_order_id
        assert body["order_status"] == order.status == "unknown"
        assert "incident_id" in body


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "intent"),
            ({"intent": "buy"}, "intent"),
            ({"intent": None}, "intent"),
            ({"intent": "open", "size_usd": "10"}, "side"),
            ({"intent": "open", "side": "up", "size_usd": "10"}, "side"),
            ({"intent": "open", "side": "long"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": ""}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "abc"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "-10"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "0"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "10.001"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "NaN"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "Infinity"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": "1e30"}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": True}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": [10]}, "size_usd"),
            ({"intent": "open", "side": "long", "size_usd": {"a": 1}}, "size_usd"),
            ({**OPEN_10, "position_id": 1}, "position_id"),
            ({"intent": "close"}, "position_id"),
            ({"intent": "close", "position_id": 0}, "position_id"),
            ({"intent": "close", "position_id": -3}, "position_id"),
            ({"intent": "close", "position_id": 2**64}, "position_id"),
            ({"intent": "close", "position_id": "seven"}, "position_id"),
            ({"intent": "close", "position_id": 1.5}, "position_id"),
            ({"intent": "close", "position_id": 1, "side": "long"}, "side"),
            ({**OPEN_10, "leverage": 5}, "leverage"),
        ],
    )
    def test_bad_input_is_422_with_the_field(self, as_bob, paper_bot, body, field):
        response = as_bob.post(_orders(paper_bot), body)
        assert response.status_code == 422, response.json()
        answer = response.json()
        assert answer["code"] == "invalid_input"
        assert field in [e["field"] for e in answer["errors"]], answer
        assert not Order.objects.exists()

    @pytest.mark.parametrize(
        "raw",
        [
            "{",
            "not json",
            "[]",
            "null",
            '"open"',
            "1" * 5000,
            '{"intent": "open", "side": "long", "size_usd": 1e999999}',
            '{"intent": "open", "side": "long", "size_usd": -0.0}',
            '{"intent": "open", "side": "long", "size_usd": "\\ud800"}',
            '{"intent": "open\\u0000", "side": "long", "size_usd": "10"}',
            "\xff\xfe",
            "[" * 50_000,  # deep nesting: a RecursionError in the parser, answered as 400
            '{"intent": "open", "side": "long", "size_usd": "' + "9" * 70_000 + '"}',
            '{"intent": "open", "intent": "close", "position_id": 1}',
        ],
    )
    def test_malformed_bodies_are_4xx(self, as_bob, paper_bot, raw):
        response = as_bob.post(_orders(paper_bot), raw=raw)
        assert 400 <= response.status_code < 500, response.content
        assert "code" in response.json()
        assert not Order.objects.exists()

    def test_a_missing_body_is_4xx(self, as_bob, paper_bot):
        response = as_bob.post(_orders(paper_bot))
        assert 400 <= response.status_code < 500
