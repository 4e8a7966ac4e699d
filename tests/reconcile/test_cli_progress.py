"""A large reconciliation run shows its progress on stderr; stdout keeps the summary line."""

import json

import pytest
from django.core.management import call_command

from egis.bots.services import bot_create
from egis.venues.paper.models import PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_on_stderr_for_many_bots(bob, set_price, capsys):
    set_price("ETHUSDT", "2934.56")
    bots = [
        bot_create(owner=bob, name=f"b{i}", venue="paper", symbol="ETHUSDT", budget_usd="10")
        for i in range(60)
    ]
    PaperPosition.objects.create(
        bot=bots[3], symbol="ETHUSDT", side="long", qty=1, entry_price=1, status="open"
    )
    call_command("egis", "reconcile-paper-positions")
    out, err = capsys.readouterr()
    assert "reconcile-paper-positions: 6/60 paper bots" in err
    assert "reconcile-paper-positions: 60/60 paper bots" in err
    assert out.strip() == (
        "summary: dry run, nothing changed: would create 0, close 1, update 0 "
        "(60 paper bots checked); run with --confirm to apply"
    )

    call_command("egis", "reconcile-paper-positions", "--confirm", "--json")
    out, _ = capsys.readouterr()
    result = json.loads(out)
    assert result["counts"] == {"create": 0, "close": 1, "update": 0, "total": 1}
    assert result["changes"][0]["before"]["status"] == "open"


def test_few_bots_no_progress_noise(paper_bot, capsys):
    call_command("egis", "reconcile-paper-positions", "--debug")
    out, err = capsys.readouterr()
    assert err == ""
    assert "changes:\n  - (none)" in out
