"""Invariant 6: concurrent opens on one bot never together exceed its budget."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from egis.ledger import budget
from egis.ledger.errors import NotEnoughBudget
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def test_twelve_threads_racing_for_one_budget(paper_bot, set_price):
    set_price("ETHUSDT", "1000")  # $30 -> exactly 0.030 ETH -> size 30.000
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker():
        try:
            start.wait()
            order_open(bot_id=paper_bot.pk, side="long", size_usd="30")
            result = "filled"
        except NotEnoughBudget:
            result = "refused"
        except Exception as exc:  # anything else is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(set(outcomes)) == ["filled", "refused"], outcomes
    assert outcomes.count("filled") == 3  # 3 x $30 fits in $100, a 4th does not
    open_total = sum(
        Position.objects.filter(bot=paper_bot, status="open").values_list("size_usd", flat=True),
        Decimal(0),
    )
    assert open_total == Decimal("90") <= paper_bot.initial_budget_usd
    assert budget.get_budget(paper_bot).available_usd == Decimal("10")
    assert set(Order.objects.values_list("status", flat=True)) == {"filled"}
    assert Order.objects.count() == 3
