"""A secret shown once (admin password reset) stays until dismissed and is gone after it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reset_password_dialog_stays_until_dismissed_and_back_cannot_reopen_it(
    page, live_server, log_in, shot, alice, bob
):
    log_in("alice", "pw-alice-123")
    page.goto(f"{live_server.url}/users")
    page.get_by_test_id("user-bob").get_by_role("button", name="Reset password").click()
    page.get_by_role("dialog").get_by_role("button", name="Reset password").click()
    dialog = page.get_by_test_id("secret-dialog")
    expect(dialog).to_be_visible()
    password = dialog.get_by_test_id("secret-Password").text_content() or ""
    assert len(password) >= 12
    expect(dialog.get_by_test_id("secret-API token")).to_contain_text("egis_")
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)  # outside the sheet
    expect(dialog).to_be_visible()
    shot("users-reset-dialog", full_page=False)
    dialog.get_by_role("button", name="Done, I have copied it").click()
    expect(dialog).to_have_count(0)
    page.wait_for_url(f"{live_server.url}/users")
    page.go_back()  # the entry that held the secret was replaced on dismiss
    expect(page.get_by_test_id("secret-dialog")).to_have_count(0)
    bob.refresh_from_db()
    assert bob.check_password(password)
