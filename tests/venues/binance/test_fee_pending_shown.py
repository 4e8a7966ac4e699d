"""A fee still pending (orders.fee_pending: the venue had not listed every trade of a fill) is
said wherever the order or its position is shown: the order JSON (CLI and API), the bot page's
position row, and the incident that keeps an unbooked fill, so that booking the fill from that
incident keeps the mark (before, each of these dropped it and the partial fee read as final)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection

from egis.accounts.tokens import token_create
from egis.execution.incident_actions import incident_resolve
from egis.execution.recovery import recover
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.presenters import order_json
from egis.venues.base import OrderReport, OrderRequest, VenueUnavailable
from tests.api.conftest import ApiClient
from tests.support.venues import RecordingPaperVenue
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_order_json_and_the_api_say_the_fee_is_pending(binance_bot, fake_binance, bob):
    fake_binance.lag_trades(requests=1)
    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    order = Order.objects.get(pk=result.order.pk)
    assert order_json(order)["fee_pending"] is True

    _, raw = token_create(user=bob, name="tests")
    api = ApiClient(raw)
    body = api.get(f"/orders/{order.client_order_id}").json()
    assert body["order"]["fee_pending"] is True
    schema = api.get("/openapi.json").json()["components"]["schemas"]["OrderOut"]
    assert "fee_pending" in schema["properties"]

    recover()
    body = api.get(f"/orders/{order.client_order_id}").json()
    assert body["order"]["fee_pending"] is False


def test_the_bot_page_marks_the_position_whose_fee_is_pending(
    binance_bot, fake_binance, client, bob
):
    complete = order_open(bot_id=binance_bot.pk, side="long", size_usd="10").position
    fake_binance.lag_trades(requests=1)
    pending = order_open(bot_id=binance_bot.pk, side="long", size_usd="50").position
    login(client, bob)
    rows = {
        r["id"]: r for r in inertia(client, f"/bots/{binance_bot.pk}")["props"]["open_positions"]
    }
    assert rows[pending.pk]["fee_pending"] is True
    assert rows[complete.pk]["fee_pending"] is False

    recover()
    order_close(bot_id=binance_bot.pk, position_id=complete.pk)  # its trades lag too
    props = inertia(client, f"/bots/{binance_bot.pk}")["props"]
    assert [r["fee_pending"] for r in props["open_positions"]] == [False]
    assert [r["fee_pending"] for r in props["closed"]["items"]] == [True]
    recover()
    props = inertia(client, f"/bots/{binance_bot.pk}")["props"]
    assert [r["fee_pending"] for r in props["closed"]["items"]] == [False]


class _PendingFeeThenBookingFails(RecordingPaperVenue):
    """The venue fills with a fee still pending; then the database refuses the booking (an
    order row that cannot be updated), so the fill is kept in an incident. The venue is then
    unreachable, so a resolution can only book what the incident stored."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        report = super().place_market_order(request)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TRIGGER refuse_order_updates BEFORE UPDATE ON main.orders "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        return dataclasses.replace(report, fee_pending=True)

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        raise VenueUnavailable("connection refused")


def test_an_unbooked_fill_keeps_its_pending_fee_through_the_incident(paper_bot, alice):
    venue = _PendingFeeThenBookingFails(paper_bot)
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_order_updates")
    incident = Incident.objects.get(pk=info.value.incident_id)
    assert incident.payload["report"]["fee_pending"] is True

    resolution = incident_resolve(
        incident_id=incident.pk,
        action="apply-venue-fill",
        reason="the venue filled it",
        actor=alice,
        venue=venue,
    )
    assert "the report stored with the incident" in resolution.detail
    order = Order.objects.get(client_order_id=info.value.client_order_id)
    assert order.status == "filled" and order.fee_pending is True
