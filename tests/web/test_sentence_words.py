"""'Not changed: …' / 'Not archived: …' messages end with exactly one period."""

from __future__ import annotations

import pytest

from egis.web.inertia import sentence


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ("This password is too common.", "Not changed: This password is too common."),
        ("the position is still open", "Not changed: the position is still open."),
        ("sure? ", "Not changed: sure?"),
    ],
)
def test_one_final_period(detail, shown):
    assert sentence("Not changed", detail) == shown
