"""A double click on Close, sixteen times over (issue 10, section 3): exactly one close wins,
the others are refused, and nothing becomes an incident.

On PostgreSQL racing closes deadlocked (settle held the position and its COMMIT waited for the
bot that a racing preflight held while it waited for the position); the executed close came back
502 not_booked as an incident. SQLite serialises transactions (BEGIN IMMEDIATE), so
this guards the outcome on the tests' database; benchmark 5 (`make bench-postgres`) runs the
same race on PostgreSQL.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from egis.ledger.errors import OrderRefused
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.paper.models import PaperFill

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def test_racing_closes_close_once_and_raise_no_incident(paper_bot):
    position_id = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position.pk
    start = threading.Barrier(THREADS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait()
            order_close(bot_id=paper_bot.pk, position_id=position_id)
            result = "closed"
        except OrderRefused as exc:
            result = f"refused {exc.http_status}"
        except Exception as exc:  # a 5xx at the edge: the test fails on it
            result = f"error {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert outcomes == Counter({"closed": 1, "refused 409": THREADS - 1})
    assert Position.objects.get(pk=position_id).status == "closed"
    assert Order.objects.filter(intent="close").count() == 1
    assert PaperFill.objects.filter(bot=paper_bot, reduce_only=True).count() == 1
    assert not Incident.objects.exists()
