"""A key typed on the Open form can never take the key of a signal's own order.

Found by review: the form's `idempotency_key` shared the namespace of the keys the worker derives
for a signal's steps (`sig<signal id>-open`; signal ids are sequential and shown on the Signals
card). A manual $10 open keyed `sig<N>-open` was taken by signal N as its own order, and the
signal's $30 open was never placed.
"""

from __future__ import annotations

import pytest

from egis.ledger.models import Order
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("key", ["sig{n}-open", "SIG{n}-open", "close-all-x-1"])
def test_the_open_form_refuses_a_key_egis_keeps_for_its_own_orders(
    sender, paper_bot, bob, queue_only, key
):
    answer = sender.post({"action": "open", "side": "long", "size_usd": "30", "id": "s1"})
    assert answer.status_code == 202
    signal = Signal.objects.get()
    page = AppClient()
    page.force_login(bob)
    refused = page.post(
        f"/bots/{paper_bot.pk}/orders/open",
        data={"side": "long", "size_usd": "10", "idempotency_key": key.format(n=signal.pk)},
        content_type="application/json",
    )
    assert refused.status_code in (302, 303, 409)  # back to the form, with the error
    assert not Order.objects.exists()

    signal_process(bot_id=paper_bot.pk)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.EXECUTED, signal.reason
    [order] = Order.objects.all()
    assert order.requested_usd == 30 and order.idempotency_key == f"sig{signal.pk}-open"


def test_an_ordinary_key_still_makes_a_retry_harmless(paper_bot, bob):
    page = AppClient()
    page.force_login(bob)
    for _ in range(2):
        page.post(
            f"/bots/{paper_bot.pk}/orders/open",
            data={"side": "long", "size_usd": "10", "idempotency_key": "signal-form-1"},
            content_type="application/json",
        )
    assert Order.objects.count() == 1
