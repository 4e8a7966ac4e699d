"""Settle reads the owner's notification settings only when the owner has set them up (issue 11):
its one read of the order and position says whether a settings row exists (egis.ledger.
settle_read). Without settings nobody can be told, so the fill sends no settings read; with
them the fill is told exactly as before, whatever else the owner chose."""

from __future__ import annotations

import pytest

from egis.ledger.pipeline import order_close, order_open
from egis.notifications import events
from egis.notifications.models import Delivery
from egis.notifications.services import notify_settings_update
from tests.support.sql_sent import sql_sent

pytestmark = pytest.mark.django_db(transaction=True)

_SETTINGS_READ = 'FROM "notification_settings"'  # the settings row read (RowQuery quotes names)


def test_an_owner_without_settings_costs_the_fill_no_settings_read(paper_bot):
    opened: list = []
    sent = sql_sent(
        lambda: opened.append(order_open(bot_id=paper_bot.pk, side="long", size_usd="20"))
    )
    sent += sql_sent(lambda: order_close(bot_id=paper_bot.pk, position_id=opened[0].position.pk))
    assert not any(_SETTINGS_READ in sql for sql in sent)
    assert not Delivery.objects.exists()


def test_an_owner_with_settings_is_told_every_fill(queue_only, bob_channels, paper_bot):
    opened: list = []
    sent = sql_sent(
        lambda: opened.append(order_open(bot_id=paper_bot.pk, side="long", size_usd="20"))
    )
    order_close(bot_id=paper_bot.pk, position_id=opened[0].position.pk)
    assert any(_SETTINGS_READ in sql for sql in sent)  # the settings decide, as before
    fills = Delivery.objects.filter(event_kind=events.FILL)
    assert fills.count() == 4  # open and close, on Telegram and the webhook
    assert sorted(d.payload["intent"] for d in fills) == ["close", "close", "open", "open"]


def test_settings_without_the_fill_event_tell_no_fill(queue_only, bob, bob_channels, paper_bot):
    notify_settings_update(user=bob, events_chosen=["incident_opened"])
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    assert not Delivery.objects.filter(event_kind=events.FILL).exists()


def test_an_inactive_owner_with_settings_is_told_nothing(queue_only, bob, bob_channels, paper_bot):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    assert not Delivery.objects.exists()
