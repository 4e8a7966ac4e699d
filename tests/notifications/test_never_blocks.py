"""A receiver that is down or hangs neither slows nor fails an order: the request only writes
the outbox row and enqueues a task; the worker meets the receiver later, retries and logs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from egis.ledger.models import Position
from egis.notifications.delivery import deliver_due
from egis.notifications.models import Delivery
from egis.notifications.services import notify_settings_update
from egis.notifications.tasks import notifications_deliver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_queue(queue_only):
    HUEY.flush()
    yield
    HUEY.flush()


def test_an_order_from_the_page_completes_while_the_receiver_hangs(
    empty_queue, bob, receiver, paper_bot, settings
):
    settings.EGIS_NOTIFY_TIMEOUT_S = 0.5
    notify_settings_update(user=bob, webhook_url=receiver.url)
    receiver.hang_s = 3.0
    client = Client()
    client.force_login(bob)
    response = client.post(f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"})
    assert response.status_code == 303
    assert Position.objects.get(bot=paper_bot).status == "open"
    # The request never met the receiver: it wrote the row and enqueued the worker's task.
    assert receiver.connections == 0
    row = Delivery.objects.get()
    assert row.status == "pending" and row.attempts == 0 and row.event_kind == "fill"
    queued = [t.name for t in HUEY.pending()]
    assert queued == ["notifications_deliver"]

    # The worker: the hanging receiver times out, the row is retried later, with the error.
    run = deliver_due()
    row.refresh_from_db()
    assert run.retried == 1 and row.status == "pending" and row.attempts == 1
    assert row.last_error == "webhook receiver did not answer within 0.5 s"
    receiver.hang_s = 0
    deliver_due(now=timezone.now() + dt.timedelta(seconds=11))
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and row.last_error == ""
    assert len(receiver.received) == 2


def test_a_task_run_reschedules_itself_for_the_next_retry(empty_queue, bob, paper_bot, settings):
    settings.EGIS_WEBHOOK_ALLOW_PRIVATE = True
    notify_settings_update(user=bob, webhook_url="http://127.0.0.1:9/down")
    from egis.ledger.pipeline import order_open

    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    HUEY.flush()
    notifications_deliver.call_local(bob.pk)
    # Enqueued with an eta (the consumer's scheduler holds it until then): the first backoff.
    [later] = HUEY.pending()
    assert later.name == "notifications_deliver" and later.args == (bob.pk,)
    assert later.eta is not None
    wait = (later.eta - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    assert 5 < wait <= 10
    assert Delivery.objects.get().attempts == 1


def test_a_burst_wakes_the_worker_once_and_it_takes_every_row(
    empty_queue, bob, receiver, paper_bot
):
    from egis.notifications import events
    from egis.notifications.services import notify

    notify_settings_update(user=bob, webhook_url=receiver.url)
    for n in range(5):
        notify(events.EXIT_TRIGGERED, bot=paper_bot, payload={"position_id": n})
    # One wake-up for the burst (each enqueue is an fsync'd write to the queue's database).
    assert [t.name for t in HUEY.pending()] == ["notifications_deliver"]
    HUEY.flush()
    assert deliver_due(user_id=bob.pk).sent == 5
    # Nothing waits any more: the next event wakes the worker again.
    notify(events.EXIT_TRIGGERED, bot=paper_bot, payload={"position_id": 9})
    assert len(HUEY.pending()) == 1
