"""A signal's reason code is stored with its reason: budget and risk-limit refusals carry their
own (session 6 note), and rows from before the column get the code of their reason's form."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.ledger.models import Position
from egis.signals.models import Signal
from egis.signals.reason_words import reason_worded
from egis.signals.selectors import signal_list
from tests.signals.test_execution import _open

pytestmark = pytest.mark.django_db(transaction=True)


def test_budget_and_risk_refusals_carry_their_own_code_everywhere(sender, paper_bot):
    """Regression (session 6 note): a budget or risk-limit refusal had an empty `code` in
    `egis signals --json`, the API and the page, because the code was read back from the
    reason's text. It is stored with the reason, from the refusing error."""
    paper_bot.max_open_positions = 1
    paper_bot.max_order_usd = Decimal("30")
    paper_bot.save(update_fields=["max_open_positions", "max_order_usd"])
    _open(sender, size="40", id="too-big")
    _open(sender, size="500", id="no-budget")
    _open(sender, id="first")
    _open(sender, id="second")
    items, _ = signal_list(bot_id=paper_bot.pk)
    codes = {i["sender_id"]: (i["status"], i["code"]) for i in items}
    assert codes == {
        "too-big": ("rejected", "max_order_usd"),
        "no-budget": ("rejected", "max_order_usd"),  # the first limit it meets
        "first": ("executed", ""),
        "second": ("rejected", "max_open_positions"),
    }
    paper_bot.max_order_usd = None
    paper_bot.save(update_fields=["max_order_usd"])
    Position.objects.filter(bot=paper_bot).update(status="closed")
    assert _open(sender, size="500", id="no-budget-2").reason_code == "not_enough_budget"


def test_rows_written_before_the_stored_code_get_it_from_their_reason(sender, paper_bot):
    """Migration signals/0003 fills the code of older rows from their reason's known form;
    a row without one still shows the code of its reason."""
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("egis.signals.migrations.0003_signal_reason_code").backfill
    _open(sender, id="late", timestamp=(timezone.now() - timedelta(seconds=90)).isoformat())
    _open(sender, size="500", id="no-budget")
    Signal.objects.update(reason_code="")  # as before the column
    items, _ = signal_list(bot_id=paper_bot.pk)
    assert {i["sender_id"]: i["code"] for i in items} == {"late": "stale", "no-budget": ""}
    backfill(apps, None)
    assert dict(Signal.objects.values_list("sender_id", "reason_code")) == {
        "late": "stale",
        "no-budget": "",  # its text has no known form: the code is not guessed
    }


def test_a_partly_executed_reason_is_worded_as_what_traded_then_the_refusal():
    """Found by a newcomer run: a flip on a drift-halted bot read "…then bot halted for new
    opens: drift: missed signal: the sender believed short, …" in machine wording."""
    worded = reason_worded(
        "partly: close position #1: filled; then bot halted for new opens: drift: missed "
        "signal: the sender believed short, the bot is long (incident #2)"
    )
    assert worded.code == "bot_halted"
    assert worded.words == (
        "Partly done (close position #1: filled). Then not traded: the bot is halted for new "
        "opens. A signal was missed (the sender thought the bot was short; it was long). "
        "Opens resume once an admin resolves incident #2."
    )


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (
            "stale: sent 217912912 s ago, max_lag_s is 60",
            "Too old: sent 2,522 days ago; signals older than 60 s are not traded",
        ),
        (
            "stale: sent 900 s ago, max_lag_s is 300",
            "Too old: sent 15 min ago; signals older than 5 min are not traded",
        ),
        (
            "timestamp is 2275159087 s in the future",
            "Not traded: its time is 26,332 days ahead of this server's clock",
        ),
        (
            "timestamp is 90 s in the future",
            "Not traded: its time is 90 s ahead of this server's clock",
        ),
    ],
)
def test_a_signal_s_age_is_said_in_a_unit_a_person_reads(reason, words):
    # Found by a newcomer: "Too old: sent 217912912 s ago" (a timestamp in the wrong unit).
    assert reason_worded(reason).words == words
