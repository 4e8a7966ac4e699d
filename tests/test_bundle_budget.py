"""The bot page's JavaScript stays under its gzip budget (issue 13: under 150 kB; recharts had
it at about 230 kB). The figures come from scripts/bundle-size.mjs over the build that `make
setup` makes (`npm run build` prints the same table)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "egis/static/build/.vite/manifest.json"


def _sizes() -> dict[str, dict[str, float | None]]:
    node = shutil.which("node")
    if node is None or not MANIFEST.exists():
        pytest.fail("no front-end build: run `make setup` (it runs `npm run build`)")
    out = subprocess.run(
        [node, str(ROOT / "scripts/bundle-size.mjs"), "--json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {p["page"]: p for p in json.loads(out)["pages"]}


def test_the_bot_page_loads_less_than_150_kb_of_gzipped_javascript():
    show = _sizes()["bots/show"]
    assert show["budget_kb"] == 150
    assert show["gzip_kb"] < 150, f"the bot page loads {show['gzip_kb']} kB gzip (budget 150 kB)"


def test_every_budgeted_page_is_within_its_budget():
    over = {
        page: (p["gzip_kb"], p["budget_kb"])
        for page, p in _sizes().items()
        if p["budget_kb"] is not None and p["gzip_kb"] > p["budget_kb"]  # type: ignore[operator]
    }
    assert over == {}
    assert "bots/index" in _sizes()


def test_the_chart_library_is_counted_on_the_bot_page():
    # The measure is only honest if the page's lazy and shared chunks are in it: the chart
    # library alone is ~50 kB gzip, so the bot page must weigh more than the login page by that.
    sizes = _sizes()
    assert sizes["bots/show"]["gzip_kb"] > sizes["auth/login"]["gzip_kb"] + 45  # type: ignore[operator]
