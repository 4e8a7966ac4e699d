"""The Signals card shows the last signals and leads to all of them (newcomer run, session 6:
the card listed the last 10 and had no way to the older ones)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from egis.signals.hooks import hook_create
from egis.signals.models import Signal
from egis.signals.processing import signal_process
from egis.signals.services import signal_receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = pytest.mark.parametrize("viewport", ["phone"], indirect=True)


@phone
def test_the_signals_card_leads_to_every_signal_of_the_bot(
    page, live_server, log_in, shot, paper_bot
):
    created = hook_create(bot_id=paper_bot.pk)
    for n in range(12):
        body = {"action": "close", "id": f"c{n}", "secret": created.secret}
        signal_receive(hook_id=created.hook.hook_id, body=json.dumps(body).encode())
    signal_process(bot_id=paper_bot.pk)  # whatever the queue has not run yet
    assert list(Signal.objects.values_list("status", "reason_code").distinct()) == [
        ("rejected", "nothing_to_close")
    ]

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("signals-card")
    more = card.get_by_test_id("signals-all")
    expect(more).to_have_text("All 12 signals →")
    more.scroll_into_view_if_needed()
    shot("signals-card-all-link", full_page=False)
    box = more.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target

    more.click()
    page.wait_for_url(f"{live_server.url}/bots/{paper_bot.pk}/activity?tab=signals")
    rows = page.get_by_test_id("activity-signal")
    expect(rows.first).to_contain_text("Nothing open to close")
    assert rows.count() >= 10
    shot("activity-signals-tab")
