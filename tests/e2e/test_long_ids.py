"""Newcomer at 390 px: a signal's id (and the client order ids under it) broke mid-token on the
bot page's Signals card ("tv-BTCUSDT-long-en|try"). Long ids wrap only after their separators,
never overflow the card, and keep the whole id in their title."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from egis.signals.hooks import hook_create
from egis.signals.processing import signal_process
from egis.signals.services import signal_receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENDER_ID = "tradingview-ETHUSDT.P-long-entry-2026-11-27T02:15:00Z-strategy:ma-cross-9f8e7d6c"
SEPARATORS = "-_.:/@#|,;=+"

# Where each line of an element's text ends: the characters either side of every line break,
# measured from the rendered glyphs (one Range per character).
_BREAKS = """(el) => {
  const chars = [];
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) chars.push({ c: node.data[i], top: Math.round(rect.top) });
    }
  }
  const breaks = [];
  for (let i = 1; i < chars.length; i++)
    if (chars[i].top > chars[i - 1].top + 2) breaks.push(chars[i - 1].c + "|" + chars[i].c);
  return breaks;
}"""


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_signal_and_order_ids_wrap_at_their_separators(page, live_server, log_in, shot, paper_bot):
    created = hook_create(bot_id=paper_bot.pk)
    body = {
        "action": "open",
        "side": "long",
        "size_usd": "20",
        "id": SENDER_ID,
        "secret": created.secret,
    }
    signal_receive(hook_id=created.hook.hook_id, body=json.dumps(body).encode())
    signal_process(bot_id=paper_bot.pk)

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("signals-card")
    # The innermost elements holding each id (found by their text, as a reader finds them).
    sender = card.locator("span", has_text=SENDER_ID).last
    sender.scroll_into_view_if_needed()
    order_id = card.locator("span", has_text="egis-").last
    expect(order_id).to_have_count(1)
    shot("long-ids-signals-card", full_page=False)

    for element in (sender, order_id):
        breaks = element.evaluate(_BREAKS)
        mid_token = [b for b in breaks if b[0] not in SEPARATORS]
        assert not mid_token, (element.inner_text(), breaks)
    assert len(sender.evaluate(_BREAKS)) >= 1  # it is long enough to wrap at 390 px
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    box, card_box = sender.bounding_box(), card.bounding_box()
    assert box and card_box and box["x"] + box["width"] <= card_box["x"] + card_box["width"]
    # The whole id stays reachable: its title, and the text itself is the full id.
    expect(card.get_by_test_id("signal-sender-id")).to_have_attribute("title", SENDER_ID)
    expect(card.get_by_test_id("signal-sender-id")).to_have_text(SENDER_ID)
    # The Activity tab's orders name the same ids in the same way.
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/activity?tab=orders")
    ids = page.locator("[data-id-text]")
    expect(ids.first).to_be_visible()
    for i in range(ids.count()):
        breaks = ids.nth(i).evaluate(_BREAKS)
        assert not [b for b in breaks if b[0] not in SEPARATORS], (ids.nth(i).inner_text(), breaks)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("long-ids-activity-orders", full_page=False)
