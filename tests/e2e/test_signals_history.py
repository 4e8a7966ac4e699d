"""The Signals card shows the last signals and leads to all of them (newcomer run, session 6:
the card listed the last 10 and had no way to the older ones)."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from egis.signals.hooks import HookRefused, hook_create, hook_refusal_record
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


@phone
def test_the_activity_tab_marks_each_signal_as_the_card_does(
    page, live_server, log_in, shot, paper_bot
):
    """Newcomer run, session 7: the Activity tab printed "rejected" and "executed" in the same
    small grey text, titled a signal it could not read "unreadable", showed times to the minute
    and had 14 px position links; it now shows the card's row: a status badge, "Not understood"
    with the reason under it, times to the second, and whole-line position links."""
    created = hook_create(bot_id=paper_bot.pk)
    for body in (
        {"action": "open", "side": "long", "size_usd": "20", "id": "o1"},
        {"action": "flip", "id": "x1"},
        {"action": "close", "id": "c1"},
    ):
        payload = json.dumps({**body, "secret": created.secret}).encode()
        signal_receive(hook_id=created.hook.hook_id, body=payload)
        signal_process(bot_id=paper_bot.pk)
    assert list(Signal.objects.order_by("id").values_list("status", flat=True)) == [
        "executed",
        "rejected",
        "executed",
    ]

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/activity?tab=signals")
    rows = page.get_by_test_id("activity-signal")
    expect(rows).to_have_count(3)
    closed, refused, opened = rows.nth(0), rows.nth(1), rows.nth(2)

    expect(refused.get_by_test_id("signal-title")).to_have_text("Not understood")
    expect(refused.get_by_test_id("signal-reason")).to_have_text(
        re.compile(r"^Action must be one of")
    )
    expect(refused.get_by_test_id("signal-status")).to_have_text("rejected")
    expect(refused.get_by_test_id("signal-status")).to_have_class(re.compile(r"\btext-warn\b"))
    for row in (closed, opened):
        expect(row.get_by_test_id("signal-status")).to_have_text("executed")
        expect(row.get_by_test_id("signal-status")).to_have_class(re.compile(r"\btext-gain\b"))
    expect(page.get_by_text("unreadable")).to_have_count(0)
    # Today's signals to the second, the sender's id beside it.
    expect(opened.get_by_test_id("signal-time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d\sUTC$"))
    expect(opened).to_contain_text("id o1")

    link = opened.get_by_test_id("signal-position-link")
    expect(link).to_have_count(1)
    expect(link).to_contain_text("open position #")
    box = link.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target
    shot("activity-signals-badges")
    # It leads to that position on the bot page.
    position_id = paper_bot.positions.get().pk
    expect(link).to_have_attribute("href", f"/bots/{paper_bot.pk}#position-{position_id}")
    link.click()
    page.wait_for_url(f"{live_server.url}/bots/{paper_bot.pk}#position-{position_id}")
    expect(page.locator(f"#position-{position_id}")).to_be_in_viewport()

    # The bot page's card shows the same row, its position links as tall.
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("signals-card")
    card.scroll_into_view_if_needed()
    card_links = card.get_by_test_id("signal-position-link")
    expect(card_links).to_have_count(2)
    for n in range(2):
        card_box = card_links.nth(n).bounding_box()
        assert card_box is not None and card_box["height"] >= 44
    expect(card.get_by_test_id("signal-title").nth(1)).to_have_text("Not understood")
    card.get_by_text("Last signals").scroll_into_view_if_needed()
    shot("signals-card-rows", full_page=False)
    card_links.nth(0).click()
    expect(page).to_have_url(re.compile(r"#position-\d+$"))


@phone
def test_the_card_says_requests_were_refused_and_that_the_url_is_unreachable(
    page, live_server, log_in, shot, paper_bot
):
    created = hook_create(bot_id=paper_bot.pk)
    for n in range(3):
        body = json.dumps({"action": "close", "id": f"w{n}", "secret": "an-old-secret"}).encode()
        with pytest.raises(HookRefused) as refused:
            signal_receive(hook_id=created.hook.hook_id, body=body)
        hook_refusal_record(refused.value.hook_pk, refused.value.why)  # as the answer's close()

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("signals-card")
    note = card.get_by_test_id("hook-refused")
    expect(note).to_contain_text("3 requests refused")
    expect(note).to_contain_text("a wrong secret")
    expect(card.get_by_test_id("hook-reach-note")).to_contain_text("TradingView cannot reach")
    card.get_by_test_id("hook-url").scroll_into_view_if_needed()
    shot("signals-card-refused", full_page=False)
