"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# pytest-playwright's sync API runs an event loop in this thread; live_server's ORM calls from
# the test body would otherwise raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: run `make setup` (it installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args, viewport):
    return {**browser_context_args, "viewport": VIEWPORTS[viewport], "locale": "en-GB"}


@pytest.fixture
def shot(page, viewport):
    ARTIFACTS.mkdir(exist_ok=True)

    def _shot(name: str, *, full_page: bool = True) -> None:
        # Sheets and dialogs are fixed to the viewport: shoot those as the screen shows them.
        page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport}.png"), full_page=full_page)

    return _shot


@pytest.fixture
def log_in(page, live_server):
    def _log_in(username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return _log_in
