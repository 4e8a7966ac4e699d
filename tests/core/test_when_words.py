"""Every server text that names a moment for people says it as the pages do ("27 Nov, 00:19
UTC", frontend/lib/utils.ts formatDateTime), never "2026-11-27 00:19 UTC" or an ISO stamp;
machine fields stay ISO 8601."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from egis.accounts.models import ApiToken
from egis.accounts.services import user_password_reset
from egis.bots.models import Bot
from egis.core.when import when_text, when_text_of
from egis.ledger.errors import BotPaused
from egis.ledger.pipeline import order_open
from egis.ledger.realized_day import RealizedDay
from egis.ledger.risk import daily_loss_refusal
from egis.notifications import events
from egis.portfolio.pause import bot_set_paused

NB = "\u00a0"
AT = dt.datetime(2026, 11, 27, 0, 19, 42, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (AT, f"27 Nov, 00:19{NB}UTC"),
        (dt.datetime(2026, 9, 7, 13, 5, tzinfo=dt.UTC), f"07 Sept, 13:05{NB}UTC"),
        (dt.datetime(2026, 1, 1, 23, 59, 59, tzinfo=dt.UTC), f"01 Jan, 23:59{NB}UTC"),
        # Another zone is said in UTC (the pages show UTC only); naive is taken as UTC.
        (
            dt.datetime(2026, 11, 27, 1, 19, tzinfo=ZoneInfo("Europe/Paris")),
            f"27 Nov, 00:19{NB}UTC",
        ),
        (dt.datetime(2026, 11, 27, 0, 19), f"27 Nov, 00:19{NB}UTC"),
    ],
)
def test_a_moment_reads_as_the_pages_show_it(at, shown):
    assert when_text(at) == shown


def test_an_iso_payload_value_is_worded_and_anything_else_is_none():
    assert when_text_of("2026-11-27T00:19:42.123+00:00") == f"27 Nov, 00:19{NB}UTC"
    assert when_text_of("yesterday") is None
    assert when_text_of(None) is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_helper_matches_the_pages_formatter_month_by_month():
    """The same options as formatDateTime (frontend/lib/utils.ts), run by Node's Intl, for a
    moment in each month: the server's words equal the page's."""
    moments = [
        dt.datetime(2026, m, 3 + m, (5 * m) % 24, (7 * m) % 60, tzinfo=dt.UTC) for m in range(1, 13)
    ]
    script = (
        "const ms = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(ms.map((iso) => new Date(iso).toLocaleString('en-GB', "
        "{day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC'})"
        " + '\\u00a0UTC')));"
    )
    out = subprocess.run(
        ["node", "-e", script, json.dumps([m.isoformat() for m in moments])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(out.stdout) == [when_text(m) for m in moments]


@pytest.mark.django_db(transaction=True)
def test_the_paused_refusal_says_when_as_the_pages_do(paper_bot, bob):
    bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=bob)
    Bot.objects.filter(pk=paper_bot.pk).update(paused_at=AT)
    with pytest.raises(BotPaused) as refused:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    assert refused.value.message.startswith(f"Paused by bob at 27 Nov, 00:19{NB}UTC: ")
    assert "2026" not in refused.value.message


def test_the_daily_loss_refusal_and_its_notice_say_when_opens_resume():
    loss = Decimal("-25")
    refusal = daily_loss_refusal(Decimal("20"), RealizedDay(loss, loss, loss), AT)
    assert refusal is not None
    assert refusal.message.endswith(f"opens resume at 28 Nov, 00:00{NB}UTC.")
    assert refusal.details["resume_at"] == "2026-11-28T00:00:00+00:00"  # the machine field
    text = events.message_text(events.DAILY_LOSS_LIMIT, refusal.details, brand=False)
    assert text.endswith(f"opens resume at 28 Nov, 00:00{NB}UTC.")


@pytest.mark.django_db
def test_a_password_reset_names_its_token_with_the_pages_time(alice, bob):
    reset = user_password_reset(user=bob, actor=alice)
    name = ApiToken.objects.get(pk=reset.token.pk).name
    assert name.startswith("reset ") and name.endswith(f"{NB}UTC")
    assert name == f"reset {when_text(reset.token.created_at)}"
