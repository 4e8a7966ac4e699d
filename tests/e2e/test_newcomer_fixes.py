"""A newcomer's findings at 390 px, fixed: touch targets, toasts clear of the row actions, words
for non-admins, the PnL chart's axis, the signals card and the settings/audit words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.bots.services import bot_update
from egis.ledger.incidents import incident_record
from egis.signals.hooks import hook_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, usd: str) -> None:
    page.get_by_role("radio", name="Long").click()
    page.get_by_label("Amount (USD)").fill(usd)
    page.get_by_role("button", name="Open", exact=True).click()


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_toast_leaves_the_close_button_free_and_controls_are_44px(
    page, live_server, log_in, shot, paper_bot, set_price
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    for radio in ("Long", "Short"):
        assert page.get_by_role("radio", name=radio).bounding_box()["height"] >= 44

    _open(page, "10")
    toast = page.locator("[role=status] .pointer-events-auto").filter(has_text="Opened long")
    expect(toast).to_be_visible()
    close = page.locator("[data-testid^=open-position-]").get_by_role("button", name="Close")
    close.scroll_into_view_if_needed()
    shot("newcomer-toast-over-row", full_page=False)
    toast_box = toast.bounding_box()
    assert not _overlap(toast_box, close.bounding_box())
    close.click()  # not covered: the click reaches the button
    page.get_by_role("dialog").get_by_role("button", name="Close position").click()
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(0)

    # Two more small losses: a PnL chart a few cents wide, whose axis labels must all differ.
    for price in ("2931.20", "2929.90"):
        set_price("ETHUSDT", "2934.56")
        _open(page, "10")
        set_price("ETHUSDT", price)
        page.locator("[data-testid^=open-position-]").get_by_role("button", name="Close").click()
        page.get_by_role("dialog").get_by_role("button", name="Close position").click()
        expect(page.locator("[data-testid^=open-position-]")).to_have_count(0)
    page.reload()
    total = page.get_by_test_id("pnl-total")
    expect(total).to_contain_text("-$")
    assert "text-loss" in (total.get_attribute("class") or "")
    chart = page.get_by_role("img", name="Cumulative realized PnL", exact=False)
    chart.scroll_into_view_if_needed()
    # lightweight-charts draws its axis on a canvas, on a whole-cent step (priceFormat minMove
    # 0.01 in frontend/components/pnl-chart.tsx), so no two labels can print the same cents.
    expect(chart.locator("canvas").first).to_be_visible()
    shot("newcomer-pnl-chart", full_page=False)


def test_a_non_admin_is_told_who_resolves_an_incident(page, live_server, log_in, shot, paper_bot):
    incident_record(kind="drift", bot_id=paper_bot.pk)
    log_in("bob", "pw-bob-12345")
    card = page.get_by_test_id(f"bot-card-{paper_bot.pk}")
    expect(card).to_contain_text("An admin must resolve it; closes still work.")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_role("alert").filter(has_text="Open incident")).to_contain_text(
        "An admin must resolve it"
    )
    shot("newcomer-incident-non-admin", full_page=False)


def test_admin_pages_in_words(page, live_server, log_in, shot, alice, paper_bot):
    incident_record(kind="signal_drift", bot_id=paper_bot.pk)
    bot_update(
        bot=paper_bot,
        name=paper_bot.name,
        budget_usd="100",
        leverage=paper_bot.leverage,
        is_active=True,
        actor=alice,
        max_order_usd="50",
        cooldown_s="60",
    )
    bot_update(
        bot=paper_bot,
        name=paper_bot.name,
        budget_usd="100",
        leverage=paper_bot.leverage,
        is_active=True,
        actor=alice,
        max_order_usd="",
        cooldown_s="",
    )
    hook_create(bot_id=paper_bot.pk)
    log_in("alice", "pw-alice-123")

    page.goto(f"{live_server.url}/incidents")
    for tab in ("Open", "Resolved"):
        link = page.get_by_role("navigation", name="Incident status").get_by_role("link", name=tab)
        assert link.bounding_box()["height"] >= 44
    card = page.locator("[data-testid^=incident-]").first
    reason = card.get_by_label("Reason (required)")
    # The hint sits above the field (a long placeholder was cut off at 390 px).
    expect(reason).to_have_attribute("placeholder", "What you checked")
    expect(
        card.get_by_text("What you checked: the sender's alerts, the bot's positions.")
    ).to_be_visible()
    reason.fill("the sender's alerts match the bot's positions again")
    card.get_by_role("button", name="Acknowledge").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("halt on new opens is lifted")
    shot("newcomer-incident-acknowledge", full_page=False)
    dialog.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("No open incidents")).to_be_visible()
    page.goto(f"{live_server.url}/incidents?status=resolved")
    expect(page.get_by_text("Acknowledged by alice")).to_be_visible()
    shot("newcomer-incident-resolved")

    page.goto(f"{live_server.url}/audit")
    entries = page.get_by_test_id("audit-entries")
    expect(entries).to_contain_text("Max USD per order: $50.00 → off")
    expect(entries).to_contain_text("Cooldown between opens (seconds): off → 60")
    expect(entries).not_to_contain_text("max_order_usd")
    expect(entries).not_to_contain_text("—")
    shot("newcomer-audit")

    page.goto(f"{live_server.url}/settings")
    expect(page.get_by_label("Token name")).to_be_visible()
    expect(page.get_by_text("For scripts calling the JSON API; shown once.")).to_be_visible()
    page.get_by_label("Token name").scroll_into_view_if_needed()
    shot("newcomer-settings-tokens", full_page=False)

    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/edit")
    expect(page.get_by_label("Max USD per order")).to_have_attribute(
        "placeholder", "Off (e.g. 50.00)"
    )
    page.get_by_test_id("risk-limit-fields").scroll_into_view_if_needed()
    shot("newcomer-bot-form-limits", full_page=False)

    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    signals = page.get_by_test_id("signals-card")
    expect(signals.get_by_test_id("signals-state")).to_have_text("Signals: On")
    expect(signals.get_by_role("button", name="Turn off")).to_be_visible()
    expect(page.get_by_text("Name, budget, leverage and risk limits.")).to_be_visible()
    signals.get_by_text("TradingView message").first.click()
    template = signals.locator("pre")
    width = template.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert width[0] <= width[1], width  # wraps instead of scrolling sideways
    signals.scroll_into_view_if_needed()
    shot("newcomer-signals-card")
