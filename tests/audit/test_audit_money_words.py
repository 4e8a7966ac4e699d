"""Audit rows print money and sizes as the rest of the app does: "$1,000.00" grouped, a position
as its card says it (quantity in the base asset, size in dollars), never "1000.00 USD"."""

from __future__ import annotations

import re

import pytest

from egis.audit.models import AuditEntry
from egis.bots.services import bot_create
from egis.ledger.pipeline import order_open
from egis.portfolio.stop import close_all
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bot_created_with_a_large_budget_reads_grouped_on_the_audit_page(
    client, alice, bob, set_price
):
    set_price("ETHUSDT", "2934.56")
    bot = bot_create(
        owner=bob, name="Big ETH", venue="paper", symbol="ETHUSDT", budget_usd="12500", actor=alice
    )
    [entry] = AuditEntry.objects.filter(object_id=bot.pk, field="created")
    assert entry.after == "Paper ETHUSDT for bob: budget $12,500.00, leverage 1x"
    login(client, alice)
    shown = [e["after"] for e in inertia(client, "/audit")["props"]["entries"]]
    assert "Paper ETHUSDT for bob: budget $12,500.00, leverage 1x" in shown
    assert not any(" USD" in text or "12500" in text for text in shown)


def test_close_all_names_each_position_with_its_size_in_dollars(alice, bob, set_price):
    set_price("ETHUSDT", "2934.56")
    bot = bot_create(owner=bob, name="Big ETH", venue="paper", symbol="ETHUSDT", budget_usd="5000")
    first = order_open(bot_id=bot.pk, side="long", size_usd="1200").position
    second = order_open(bot_id=bot.pk, side="long", size_usd="30").position
    close_all(bot_id=bot.pk, actor=alice)
    [entry] = AuditEntry.objects.filter(field="close_all")
    listed = re.findall(r"#(\d+) long ([\d.]+) ETH \((\$[\d,]+\.\d\d)\)", entry.after)
    assert [(int(pk), qty) for pk, qty, _ in listed] == [
        (first.pk, f"{first.qty.normalize():f}"),
        (second.pk, f"{second.qty.normalize():f}"),
    ]
    big = listed[0][2]
    assert re.fullmatch(r"\$1,\d{3}\.\d\d", big), big
    assert "ETHUSDT" not in entry.after
