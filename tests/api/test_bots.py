"""/api/v1/bots: list, create, get, delete, for the admin, the owner and another user."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.ledger.pipeline import order_close, order_open

NEW_BOT = {"name": "Bob BTC", "venue": "paper", "symbol": "btcusdt", "initial_budget_usd": "250.5"}


@pytest.fixture
def charlie_bot(charlie, set_price):
    set_price("ETHUSDT", "2934.56")
    return bot_create(
        owner=charlie, name="Charlie ETH", venue="paper", symbol="ETHUSDT", budget_usd="40"
    )


@pytest.mark.django_db
class TestList:
    def test_a_user_sees_only_their_own_bots_with_budgets(self, as_bob, paper_bot, charlie_bot):
        body = as_bob.get("/bots").json()
        assert body["count"] == 1
        (bot,) = body["items"]
        assert bot["id"] == paper_bot.pk
        assert bot["owner"] == "bob"
        assert bot["budget"] == {
            "bot_id": paper_bot.pk,
            "initial_budget_usd": "100.00",
            "reserved_usd": "0.00",
            "available_usd": "100.00",
            "display": {
                "initial_budget_usd": "100.00",
                "reserved_usd": "0.00",
                "available_usd": "100.00",
            },
        }
        assert bot["halted"] is False and bot["has_open_incident"] is False

    def test_another_user_sees_nothing_of_bobs(self, as_charlie, paper_bot, charlie_bot):
        assert [b["id"] for b in as_charlie.get("/bots").json()["items"]] == [charlie_bot.pk]

    def test_the_admin_sees_every_bot_with_its_owner(self, as_alice, paper_bot, charlie_bot):
        items = as_alice.get("/bots").json()["items"]
        assert {(b["id"], b["owner"]) for b in items} == {
            (paper_bot.pk, "bob"),
            (charlie_bot.pk, "charlie"),
        }

    def test_deleted_bots_are_not_listed(self, as_bob, paper_bot):
        as_bob.delete(f"/bots/{paper_bot.pk}")
        assert as_bob.get("/bots").json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("paper_filters")
class TestCreate:
    def test_a_user_creates_their_own_bot(self, as_bob, bob):
        response = as_bob.post("/bots", NEW_BOT)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["owner"] == "bob"
        assert body["symbol"] == "BTCUSDT"
        assert body["initial_budget_usd"] == "250.50"
        assert body["budget"]["available_usd"] == "250.50"
        assert Bot.objects.get(pk=body["id"]).owner == bob

    def test_a_json_number_budget_is_read_exactly(self, as_bob):
        response = as_bob.post(
            "/bots", raw='{"name": "n", "symbol": "ETHUSDT", "initial_budget_usd": 100.10}'
        )
        assert response.status_code == 201, response.json()
        assert response.json()["initial_budget_usd"] == "100.10"

    def test_the_admin_creates_a_bot_for_another_user(self, as_alice, bob):
        response = as_alice.post("/bots", {**NEW_BOT, "owner": "bob"})
        assert response.status_code == 201
        assert response.json()["owner"] == "bob"

    def test_a_user_cannot_create_a_bot_for_someone_else(self, as_charlie, bob):
        response = as_charlie.post("/bots", {**NEW_BOT, "owner": "bob"})
        assert response.status_code == 403
        assert not Bot.objects.exists()

    def test_a_service_refusal_is_listed_under_its_field(self, as_bob):
        # The schema lists its own fields' problems; the service's (a symbol the venue does not
        # list) come in the same `errors` list, named as the body names them.
        response = as_bob.post("/bots", {**NEW_BOT, "symbol": "NOPEUSDT"})
        assert response.status_code == 422, response.json()
        [error] = response.json()["errors"]
        assert error["field"] == "symbol" and "does not list NOPEUSDT" in error["message"]
        assert not Bot.objects.exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"initial_budget_usd": "-5"}, None),
            ({"initial_budget_usd": "1.001"}, None),
            ({"initial_budget_usd": "abc"}, None),
            ({"initial_budget_usd": 1.5e400}, "initial_budget_usd"),
            ({"initial_budget_usd": True}, "initial_budget_usd"),
            ({"symbol": "NOPEUSDT"}, None),
            ({"venue": "moon"}, "venue"),
            ({"name": ""}, "name"),
            ({"name": "x" * 81}, "name"),
            ({"name": "bad\u0000name"}, "name"),
            ({"leverage": 0}, "leverage"),
            ({"leverage": 126}, "leverage"),
            ({"extra": 1}, "extra"),
            ({"owner": "nobody"}, None),
            ({"venue": "binance_futures"}, None),
            ({"venue": "binance_futures", "exchange_account_id": 99}, "exchange_account_id"),
        ],
    )
    def test_bad_input_is_422_and_creates_nothing(self, as_bob, change, field):
        response = as_bob.post("/bots", {**NEW_BOT, **change})
        assert response.status_code in (403, 422), response.json()
        if response.status_code == 422:
            body = response.json()
            assert body["code"] == "invalid_input"
            if field is not None:
                assert field in [e["field"] for e in body["errors"]]
        assert not Bot.objects.exists()


@pytest.mark.django_db
class TestGet:
    def test_the_owner_gets_the_bot_with_its_budget(self, as_bob, paper_bot):
        body = as_bob.get(f"/bots/{paper_bot.pk}").json()
        assert body["id"] == paper_bot.pk
        assert body["budget"]["available_usd"] == "100.00"

    def test_a_halted_bot_says_why_in_words(self, as_bob, paper_bot):
        """Regression (session 5 note): the API gave only the stored machine reason."""
        assert as_bob.get(f"/bots/{paper_bot.pk}").json()["halted_words"] == ""
        reason = "drift: missed signal: the sender believed long, the bot is flat (incident #12)"
        Bot.objects.filter(pk=paper_bot.pk).update(halted_reason=reason)
        body = as_bob.get(f"/bots/{paper_bot.pk}").json()
        assert (body["halted"], body["halted_reason"]) == (True, reason)
        assert body["halted_words"] == (
            "A signal was missed (the sender thought the bot was long; it was flat). "
            "Opens resume once an admin resolves incident #12."
        )
        listed = as_bob.get("/bots").json()["items"][0]
        assert listed["halted_words"] == body["halted_words"]

    @pytest.mark.django_db(transaction=True)
    def test_a_daily_loss_halt_is_in_the_bot_json_not_only_on_the_page(
        self, as_bob, paper_bot, set_price
    ):
        """Found by a newcomer run: `halted` was false while the page said "Halted today" and
        opens got 409; a script reading the JSON believed the bot could open."""
        Bot.objects.filter(pk=paper_bot.pk).update(daily_loss_limit_usd=Decimal("0.50"))
        body = as_bob.get(f"/bots/{paper_bot.pk}").json()
        assert (body["opens_halted"], body["daily_loss_halt"]) == (False, "")
        opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="50")
        set_price("ETHUSDT", "2500")
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)

        body = as_bob.get(f"/bots/{paper_bot.pk}").json()
        assert body["halted"] is False  # nothing to resolve: it lifts at 00:00 UTC
        assert body["opens_halted"] is True
        assert body["daily_loss_halt"].startswith("Daily loss limit $0.50 reached")
        listed = as_bob.get("/bots").json()["items"][0]
        assert (listed["opens_halted"], listed["daily_loss_halt"]) == (
            True,
            body["daily_loss_halt"],
        )
        refused = as_bob.post(
            f"/bots/{paper_bot.pk}/orders", {"intent": "open", "side": "long", "size_usd": "10"}
        )
        assert refused.status_code == 409

    def test_another_user_gets_404_like_a_missing_bot(self, as_charlie, paper_bot):
        other = as_charlie.get(f"/bots/{paper_bot.pk}")
        missing = as_charlie.get("/bots/999999")
        assert other.status_code == missing.status_code == 404
        assert other.json() == {"code": "not_found", "detail": f"bot #{paper_bot.pk} not found"}
        assert missing.json() == {"code": "not_found", "detail": "bot #999999 not found"}

    def test_the_admin_gets_any_bot(self, as_alice, paper_bot):
        assert as_alice.get(f"/bots/{paper_bot.pk}").json()["owner"] == "bob"


@pytest.mark.django_db(transaction=True)
class TestDelete:
    def test_the_owner_deletes_an_idle_bot(self, as_bob, paper_bot):
        assert as_bob.delete(f"/bots/{paper_bot.pk}").status_code == 204
        paper_bot.refresh_from_db()
        assert paper_bot.deleted_at is not None  # soft: history stays
        assert as_bob.get(f"/bots/{paper_bot.pk}").status_code == 404

    def test_delete_is_409_while_a_position_is_open(self, as_bob, paper_bot):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
        response = as_bob.delete(f"/bots/{paper_bot.pk}")
        assert response.status_code == 409
        assert response.json()["code"] == "bot_busy"
        assert "open positions" in response.json()["detail"]
        paper_bot.refresh_from_db()
        assert paper_bot.deleted_at is None

    def test_another_user_gets_404_and_the_bot_stays(self, as_charlie, paper_bot):
        assert as_charlie.delete(f"/bots/{paper_bot.pk}").status_code == 404
        paper_bot.refresh_from_db()
        assert paper_bot.deleted_at is None

    def test_the_admin_deletes_any_idle_bot(self, as_alice, paper_bot):
        assert as_alice.delete(f"/bots/{paper_bot.pk}").status_code == 204


@pytest.mark.django_db(transaction=True)
def test_open_counts_come_from_open_rows_and_queries_stay_flat(as_bob, bob, paper_bot):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_close(bot_id=paper_bot.pk, position_id=first.position.pk)
    as_bob.get("/bots")  # the token's first use records last_used_at: not part of the list
    with CaptureQueriesContext(connection) as one_bot:
        (item,) = as_bob.get("/bots").json()["items"]
    assert item["open_positions"] == 1
    for i in range(5):
        bot_create(owner=bob, name=f"more {i}", venue="paper", symbol="ETHUSDT", budget_usd="5")
    with CaptureQueriesContext(connection) as six_bots:
        items = as_bob.get("/bots").json()["items"]
    assert [b["open_positions"] for b in items] == [1, 0, 0, 0, 0, 0]
    assert len(six_bots) == len(one_bot)
