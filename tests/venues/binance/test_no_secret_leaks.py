"""Neither the API secret nor the API key appears in any captured log, output, stored venue
response, incident or audit row, whatever happens to the order."""

import json
import logging

import pytest
from django.core.management import call_command

from egis.execution.lookup import order_lookup_and_settle
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.venues.binance.positions import sync_exchange_positions
from tests.support.fake_binance import REJECT, TIMEOUT_1007_AFTER_BOOKING

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_secret_in_logs_outputs_or_stored_rows(
    binance_bot, binance_account, fake_binance, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="50")
    order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)
    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    with pytest.raises(OrderNotBooked) as unknown:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="50")
    order = Order.objects.get(client_order_id=unknown.value.client_order_id)
    order_lookup_and_settle(order.pk)
    fake_binance.fail_next_order(REJECT, code=-1022, msg="Signature for this request is not valid.")
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="10")
    sync_exchange_positions(binance_account)
    call_command("egis", "account", "list", "--json")
    with pytest.raises(SystemExit):
        call_command("egis", "order", "open", str(binance_bot.pk), "--side", "long",
                     "--size-usd", "5000", "--json")  # fmt: skip

    captured = capsys.readouterr()
    stored = json.dumps(
        [
            list(Order.objects.values("venue_response", "error")),
            list(Incident.objects.values("payload", "error")),
            list(PositionEvent.objects.values("reason", "before", "after")),
        ],
        default=str,
    )
    for text in (caplog.text, captured.out, captured.err, stored):
        assert fake_binance.api_secret not in text
        assert fake_binance.api_key not in text
    assert "signature=" not in stored  # no signed query string is kept either
    assert len(fake_binance.order_posts) == 4
