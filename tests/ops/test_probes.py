"""/healthz and /readyz: no login, no details beyond the names of the failing checks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from egis.ops import readiness
from egis.venues.models import Price
from egis.venues.prices.sources import SimulatedPriceSource

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulated_feed(settings, paper_bot):
    """Bob's paper bot trades ETHUSDT, and the worker has just moved its simulated price."""
    settings.EGIS_PRICE_SOURCE = "simulated"
    SimulatedPriceSource().advance("ETHUSDT")


@pytest.fixture(autouse=True)
def _forget_migrations_seen():
    readiness._migrations_seen_applied = False
    yield
    readiness._migrations_seen_applied = False


def test_healthz_answers_without_a_session():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert response["Cache-Control"] == "no-store"


def test_ready_when_database_migrations_queue_and_prices_answer(simulated_feed):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True}


def test_a_stale_simulated_feed_is_not_ready(simulated_feed, settings):
    Price.objects.update(updated_at=timezone.now() - timedelta(seconds=181))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "failing": ["prices"]}


def test_a_traded_symbol_without_any_price_is_not_ready(settings, paper_bot, bob):
    from egis.bots.services import bot_create

    settings.EGIS_PRICE_SOURCE = "simulated"
    SimulatedPriceSource().advance("ETHUSDT")
    bot_create(owner=bob, name="Bob BTC", venue="paper", symbol="BTCUSDT", budget_usd="100.00")
    assert Client().get("/readyz").json() == {"ready": False, "failing": ["prices"]}


def test_with_no_live_bot_there_is_nothing_to_be_stale(settings, paper_filters):
    # A fresh deployment: no bot yet, so no price is ticked; it must still take traffic.
    settings.EGIS_PRICE_SOURCE = "simulated"
    assert Client().get("/readyz").status_code == 200


def test_a_stale_binance_feed_is_not_ready(settings, paper_bot):
    from egis.venues.prices.store import price_store

    settings.EGIS_PRICE_SOURCE = "binance"
    price_store(source="binance", symbol="ETHUSDT", price=Decimal("2934.5"))
    assert Client().get("/readyz").status_code == 200
    Price.objects.filter(source="binance").update(updated_at=timezone.now() - timedelta(hours=1))
    assert Client().get("/readyz").json()["failing"] == ["prices"]


def test_a_fixed_price_never_goes_stale(settings, set_price):
    settings.EGIS_PRICE_SOURCE = "fixed"
    set_price("ETHUSDT", "2934.56")
    Price.objects.update(updated_at=timezone.now() - timedelta(days=30))
    assert Client().get("/readyz").status_code == 200


def test_an_unapplied_migration_is_not_ready(simulated_feed):
    MigrationRecorder.Migration.objects.filter(app="ops", name="0001_initial").delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    MigrationRecorder.Migration.objects.create(app="ops", name="0001_initial")


def test_a_queue_that_does_not_answer_is_named_and_nothing_else(simulated_feed, monkeypatch):
    def down() -> int:
        raise ConnectionError("Error 111 connecting to 10.0.0.7:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "pending_count", down)  # Huey's storage, not our code
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "failing": ["queue"]}
    assert b"10.0.0.7" not in response.content and b"refused" not in response.content


def test_probes_answer_only_reads():
    client = Client(enforce_csrf_checks=False)
    client.force_login = None  # anonymous, as a probe is
    for path in ("/healthz", "/readyz"):
        # An anonymous POST is sent to the login page before any view; never a 5xx.
        assert client.post(path, data={"x": "1"}).status_code in (303, 403, 405)
        assert client.head(path).status_code in (200, 503)
