"""A newcomer's 390 px pass (27 Nov): the sheets' close "X" was squeezed to 20-25 px wide beside
a long title or description; closed rows wrapped "UTC" alone onto a line, priced a far stop-loss
without separators, and read "Take-profit at $632.37" as if the trade had closed there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _close_target(dialog) -> dict:
    box = dialog.get_by_role("button", name="Close dialog").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_every_sheet_close_x_is_a_44px_target(page, live_server, log_in, shot, paper_bot):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("10")
    page.get_by_role("button", name="Open", exact=True).click()
    row = page.locator("[data-testid^=open-position-]")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Close").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = _close_target(dialog)
    assert box["width"] >= 44 and box["height"] >= 44, box
    shot("pass9-close-sheet", full_page=False)
    dialog.get_by_role("button", name="Close dialog").click()
    expect(dialog).to_have_count(0)

    # The webhook's "shown once" sheet: a long description beside the X.
    create = page.get_by_role("button", name="Create webhook")
    create.scroll_into_view_if_needed()
    create.click()
    sheet = page.get_by_role("dialog")
    expect(sheet).to_contain_text("shown only once")
    box = _close_target(sheet)
    assert box["width"] >= 44 and box["height"] >= 44, box
    shot("pass9-webhook-sheet", full_page=False)
