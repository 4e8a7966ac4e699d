"""Risk limits on the pages: set on the bot form (errors next to the field), shown on the bot
page, a refusal in words under the Open form, and the daily loss halt loud on the card and the
bot page with the Open form disabled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.core.when import when_text
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.ledger.risk import utc_day
from tests.web.conftest import inertia, post_json

NEW = {"name": "Risky", "venue": "paper", "symbol": "ETHUSDT", "budget_usd": "100", "leverage": "1"}
LIMITS = {
    "max_open_positions": "3",
    "max_order_usd": "50",
    "cooldown_s": "60",
    "daily_loss_limit_usd": "20.5",
}


@pytest.mark.django_db
def test_create_with_limits_edit_shows_them_and_an_empty_field_turns_one_off(as_bob, paper_filters):
    post_json(as_bob, "/bots/new", {**NEW, **LIMITS})
    bot = Bot.objects.get(name="Risky")
    assert (bot.max_open_positions, bot.max_order_usd) == (3, Decimal("50"))
    assert (bot.cooldown_s, bot.daily_loss_limit_usd) == (60, Decimal("20.5"))
    form = inertia(as_bob, f"/bots/{bot.pk}/edit")["props"]["bot"]
    assert {k: form[k] for k in LIMITS} == {
        "max_open_positions": "3",
        "max_order_usd": "50.00",
        "cooldown_s": "60",
        "daily_loss_limit_usd": "20.50",
    }
    post_json(
        as_bob,
        f"/bots/{bot.pk}/edit",
        {**NEW, **form, "cooldown_s": "", "max_order_usd": "75", "is_active": True},
    )
    bot.refresh_from_db()
    assert (bot.cooldown_s, bot.max_order_usd, bot.max_open_positions) == (None, Decimal("75"), 3)
    changes = AuditEntry.objects.exclude(field="created")
    audited = set(changes.values_list("field", "before", "after"))
    assert audited == {("cooldown_s", "60", "off"), ("max_order_usd", "50.00", "75.00")}


@pytest.mark.django_db
def test_a_bad_limit_is_shown_next_to_its_field_and_nothing_is_saved(as_bob, paper_bot):
    post_json(as_bob, "/bots/new", {**NEW, "max_open_positions": "0"})
    assert inertia(as_bob, "/bots/new")["props"]["errors"] == {
        "max_open_positions": "Max open positions must be between 1 and 10000."
    }
    post_json(
        as_bob,
        f"/bots/{paper_bot.pk}/edit",
        {**NEW, "daily_loss_limit_usd": "1e3", "is_active": True},
    )
    errors = inertia(as_bob, f"/bots/{paper_bot.pk}/edit")["props"]["errors"]
    assert list(errors) == ["daily_loss_limit_usd"] and "exponent" in errors["daily_loss_limit_usd"]
    assert Bot.objects.count() == 1 and Bot.objects.get().name == "Bob ETH"


@pytest.mark.django_db
def test_the_bot_page_shows_the_limits(as_bob, paper_bot):
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["bot"]["risk_limits"] == {
        "max_open_positions": None,
        "max_order_usd": None,
        "cooldown_s": None,
        "daily_loss_limit_usd": None,
    }
    assert props["bot"]["risk_halt"] == "" and props["bot"]["status_label"] == "Active"
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd=Decimal("50"), cooldown_s=60)
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["bot"]["risk_limits"]["max_order_usd"] == "50.00"
    assert props["bot"]["risk_limits"]["cooldown_s"] == 60


@pytest.mark.django_db(transaction=True)
def test_an_open_refused_by_a_limit_is_in_words_under_the_open_form(as_bob, paper_bot):
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd=Decimal("50"))
    post_json(as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "80"})
    assert inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["errors"] == {
        "order": "Max USD per order is $50.00: $80.00 requested (over by $30.00)."
    }
    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_daily_loss_halt_is_loud_on_the_card_and_the_bot_page(as_bob, paper_bot, set_price):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    Position.objects.create(
        bot=paper_bot, symbol="ETHUSDT", side="long", status="closed",
        requested_size_usd=Decimal("10"), size_usd=Decimal("0"),
        realized_pnl_usd=Decimal("-21"), fees_usd=Decimal("0.40"), closed_at=timezone.now(),
    )  # fmt: skip
    Bot.objects.filter(pk=paper_bot.pk).update(daily_loss_limit_usd=Decimal("20"))
    reason = (
        "Daily loss limit $20.00 reached: today's realized PnL is -$21.40 (UTC day); "
        f"opens resume at {when_text(utc_day(timezone.now())[1])}."
    )
    [card] = inertia(as_bob, "/")["props"]["bots"]
    assert card["risk_halt"] == reason
    bot = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["bot"]
    assert bot["risk_halt"] == reason
    assert bot["open_disabled_reason"] == reason
    assert bot["status_label"] == "Halted today"
    # Closes still work from the page.
    post_json(as_bob, f"/bots/{paper_bot.pk}/positions/{opened.position.pk}/close", {})
    assert Position.objects.get(pk=opened.position.pk).status == "closed"
    # Not halted: a loss below the limit says nothing.
    Bot.objects.filter(pk=paper_bot.pk).update(daily_loss_limit_usd=Decimal("100"))
    assert inertia(as_bob, "/")["props"]["bots"][0]["risk_halt"] == ""
