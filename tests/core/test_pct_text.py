"""One spelling of a percentage on every screen (newcomer at 390 px: "29.2%" on one card,
"1.45 %" on another): no space before "%", grouped and signed like the prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.core.figures import pct_text
from egis.exits.quote import exits_quote


@pytest.mark.parametrize(
    ("value", "signed", "shown"),
    [
        ("29.2", False, "29.2%"),
        ("1.45", False, "1.45%"),
        ("-16061.72", False, "-16,061.72%"),
        ("2.00", True, "+2.00%"),
        ("-1.00", True, "-1.00%"),
        (Decimal("3307.63"), True, "+3,307.63%"),
        (None, False, None),
    ],
)
def test_a_percentage_has_no_space_before_the_sign(value, signed, shown):
    assert pct_text(value, signed=signed) == shown


def test_the_open_forms_exit_preview_spells_it_so():
    body = exits_quote(
        side="long", price=Decimal("2934.56"), tick=Decimal("0.01"), take_profit="2%", stop_loss=""
    )
    assert body["exits"][0]["summary"] == "Take-profit at $2,993.25 (+2.00%)"
