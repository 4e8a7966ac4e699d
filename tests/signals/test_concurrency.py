"""Sixteen identical posts at once (a sender retrying, a proxy duplicating): one signal row, one
execution, one order; every other answer names the same signal as a duplicate. The database's
unique constraint decides, not a lookup."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from egis.ledger.models import Order, Position
from egis.signals.models import Signal, SignalStatus
from tests.support.app_client import AppClient

pytestmark = pytest.mark.django_db(transaction=True)

SENDERS = 16


def _race(url: str, body: bytes) -> list[tuple[int, dict]]:
    start = threading.Barrier(SENDERS)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            start.wait()
            answer = AppClient().post(url, data=body, content_type="text/plain")
            result = (answer.status_code, answer.json())
        except Exception as exc:  # anything else is a failure of the test
            result = (0, {"error": repr(exc)})
        finally:
            connection.close()
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=post) for _ in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return answers


@pytest.mark.parametrize("with_id", [True, False], ids=["same-id", "same-body-no-id"])
def test_sixteen_identical_posts_execute_once(sender, paper_bot, with_id):
    payload = {"action": "open", "side": "long", "size_usd": "20", "secret": sender.issued.secret}
    if with_id:
        payload["id"] = "tv-42"
    answers = _race(sender.url, json.dumps(payload).encode())

    signal = Signal.objects.get()
    codes = sorted(code for code, _ in answers)
    assert codes == [200] * (SENDERS - 1) + [202], answers
    assert {a["signal_id"] for _, a in answers} == {signal.pk}
    assert [a["status"] for c, a in answers if c == 200] == ["duplicate"] * (SENDERS - 1)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.EXECUTED, signal.reason
    assert Order.objects.count() == 1 and Position.objects.filter(bot=paper_bot).count() == 1
