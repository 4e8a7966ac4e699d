"""/metrics: 404 unless a token is configured, 401 without it, Prometheus text with it."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from egis.bots.models import Bot
from egis.ledger.incidents import incident_record
from egis.ledger.pipeline import order_close, order_open
from egis.ops.failures import task_failure_record
from egis.venues.prices.sources import SimulatedPriceSource

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "m3tr1cs-t0ken-for-tests-0123456789"


def _scrape(token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get("/metrics", headers=headers)


def _samples(response) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_without_a_configured_token_there_is_no_such_page(settings):
    settings.EGIS_METRICS_TOKEN = ""
    assert _scrape().status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic " + TOKEN, "Bearer", TOKEN])
def test_a_missing_or_wrong_token_is_401(settings, header):
    settings.EGIS_METRICS_TOKEN = TOKEN
    headers = {"Authorization": header} if header else {}
    response = Client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"egis_" not in response.content


def test_the_figures_an_operator_watches(settings, paper_bot, paper_filters):
    settings.EGIS_METRICS_TOKEN = TOKEN
    settings.EGIS_PRICE_SOURCE = "simulated"
    SimulatedPriceSource().advance("ETHUSDT")
    settings.EGIS_PRICE_SOURCE = "fixed"  # the bot's orders fill at the fixed price
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    incident_record(kind="drift", bot_id=paper_bot.pk, error="planted for the metric")
    Bot.objects.filter(pk=paper_bot.pk).update(halted_reason="drift: planted")
    task_failure_record(task="execution.recovery", error=OSError("disk"))
    settings.EGIS_PRICE_SOURCE = "simulated"

    response = _scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    s = _samples(response)
    assert s[("egis_orders", (("status", "filled"), ("venue", "paper")))] == 3
    assert s[("egis_orders_in_flight", ())] == 0
    assert s[("egis_incidents_open", ())] == 1
    assert s[("egis_bots_halted", ())] == 1
    assert 0 <= s[("egis_price_feed_age_seconds", (("source", "simulated"),))] < 60
    assert s[("egis_queue_depth", ())] == 0
    assert s[("egis_task_failures_total", (("task", "execution.recovery"),))] == 1
    opens = s[("egis_order_seconds_count", (("intent", "open"), ("outcome", "filled")))]
    assert opens >= 2  # the histogram is per process: earlier tests' orders count too
    assert (
        "egis_order_seconds_bucket",
        (("intent", "close"), ("le", "+Inf"), ("outcome", "filled")),
    ) in s
