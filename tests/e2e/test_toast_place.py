"""Newcomer at 390 px: toasts sat just under the top bar and covered the page's title and its
first action. They now sit at the bottom, above the tab bar: the header, the bot's first action
and the tab bar stay visible and tappable, the toast stays announced (aria-live) and
dismissible, and the page gets room at its bottom so its last row can be scrolled clear."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)
def test_a_toast_leaves_the_header_the_first_action_and_the_tabs_free(
    page, live_server, log_in, shot, paper_bot, viewport
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_role("button", name="Pause", exact=True).click()

    region = page.get_by_test_id("toasts")
    expect(region).to_have_attribute("aria-live", "polite")
    toast = region.locator(".pointer-events-auto").filter(has_text="paused")
    expect(toast).to_be_visible()
    shot("toast-bottom", full_page=False)

    box = toast.bounding_box()
    header = page.locator("header").first.bounding_box()
    first_action = page.get_by_role("button", name="Resume", exact=True)
    assert not _overlap(box, header), (box, header)
    assert not _overlap(box, first_action.bounding_box())
    assert box["y"] > page.viewport_size["height"] / 2  # in the bottom half
    if viewport == "phone":
        tabs = page.get_by_role("navigation", name="Tabs").bounding_box()
        assert not _overlap(box, tabs), (box, tabs)
        assert box["y"] + box["height"] <= tabs["y"]  # just above the tab bar
    else:  # beside the sidebar, never over it
        sidebar = page.get_by_role("navigation", name="Main").bounding_box()
        assert not _overlap(box, sidebar), (box, sidebar)

    # Taps around the toast reach the page: the strip it floats in takes none.
    assert region.evaluate("(el) => getComputedStyle(el).pointerEvents") == "none"

    # The page's end scrolls clear of the toast: its last card ends above the toast's top.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last = page.locator("main > *").last.bounding_box()
    assert last["y"] + last["height"] <= toast.bounding_box()["y"] + 1, last

    toast.get_by_role("button", name="Dismiss message").click()
    expect(toast).to_have_count(0)
    # The extra room goes with the toast.
    room = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--toast-room')"
    )
    assert room.strip() == ""
