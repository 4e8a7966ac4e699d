"""The bot page's Settings history card at 390 px: a trader sees who changed the bot's budget and
webhook and when ("You", "An admin"), ten at a time, and pages back to the oldest change."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.bots.services import bot_update
from egis.signals.hooks import hook_create, hook_rotate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = pytest.mark.parametrize("viewport", ["phone"], indirect=True)


def _edit_budget(bot, budget: str, actor) -> None:
    bot.refresh_from_db()
    bot_update(
        bot=bot,
        name=bot.name,
        budget_usd=budget,
        leverage=bot.leverage,
        is_active=bot.is_active,
        actor=actor,
    )


@phone
def test_the_card_shows_a_budget_change_and_pages_to_the_oldest(
    page, live_server, log_in, shot, paper_bot, alice, bob
):
    hook = hook_create(bot_id=paper_bot.pk, actor=bob)
    rotated = hook_rotate(bot_id=paper_bot.pk, actor=bob)
    _edit_budget(paper_bot, "250", alice)
    for n in range(1, 10):
        _edit_budget(paper_bot, str(250 + n), bob)
    # 13 rows: created, webhook created and rotated, Alice's budget, Bob's nine budgets.

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("settings-history")
    rows = card.get_by_test_id("history-item")
    expect(rows).to_have_count(10)
    expect(rows.first).to_contain_text("Budget $258.00 → $259.00")
    expect(rows.first).to_contain_text("You")
    expect(rows.first).to_contain_text("UTC")
    expect(card.get_by_test_id("history-count")).to_have_text("10 of 13")
    exits = card.get_by_test_id("history-exits")
    expect(exits).to_have_attribute("href", f"/bots/{paper_bot.pk}/activity?tab=events")
    expect(exits).to_contain_text(
        "Audit trail"
    )  # the tab's own label (frontend/pages/bots/activity)
    more = card.get_by_test_id("history-more")
    more.scroll_into_view_if_needed()
    box = more.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target
    # The card's top under the sticky top bar, as a phone shows it.
    card.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 64)")
    shot("settings-history-card", full_page=False)

    more.click()
    expect(rows).to_have_count(13)
    expect(more).to_have_count(0)
    expect(card.get_by_test_id("history-count")).to_have_text("13 of 13")
    admin_row = rows.filter(has_text="Budget $100.00 → $250.00")
    expect(admin_row).to_contain_text("An admin")
    expect(rows.filter(has_text="Webhook rotated")).to_have_count(1)
    expect(rows.last).to_contain_text("Created as Paper ETHUSDT for bob")
    # The oldest row above the bottom tab bar.
    rows.last.evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().bottom + window.scrollY"
        " - window.innerHeight + 120)"
    )
    shot("settings-history-card-oldest", full_page=False)
    text = card.inner_text()
    assert "alice" not in text
    assert hook.secret not in page.content() and rotated.secret not in page.content()
    # Nothing runs off the 390 px screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
