"""Log lines that can be followed: the request id and the client order id on every line of an
order's story, in the JSON format (EGIS_LOG_JSON=1) and the plain one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Order
from egis.ledger.pipeline import order_open
from egis.ops.logs import ContextFilter, JsonFormatter, PlainFormatter
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger's lines, as the console handler writes them with EGIS_LOG_JSON=1."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


def _lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line]


def test_an_api_order_whose_booking_fails_logs_its_ids_on_every_line(
    as_bob, paper_bot, db_refuses, json_lines
):
    db_refuses("settle_fails", "BEFORE UPDATE ON orders", "NEW.status = 'filled'")
    response = as_bob.post(
        f"/bots/{paper_bot.pk}/orders",
        {"intent": "open", "side": "long", "size_usd": "10"},
        headers={"X-Request-ID": "req-from-proxy-0001"},
    )
    assert response.status_code == 502
    assert response["X-Request-ID"] == "req-from-proxy-0001"
    order = Order.objects.get()
    story = [line for line in _lines(json_lines) if line["client_order_id"]]
    assert story, json_lines.getvalue()
    assert any("not booked" in line["message"] for line in story)
    for line in story:
        assert line["request_id"] == "req-from-proxy-0001"
        assert line["client_order_id"] == order.client_order_id
        assert {"ts", "level", "logger", "message"} <= set(line)


def test_a_worker_order_names_its_order_too(paper_bot, json_lines):
    venue = RecordingPaperVenue(paper_bot, raise_after_fill=RuntimeError("adapter bug"))
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20", venue=venue)
    order = Order.objects.get()
    lines = [line for line in _lines(json_lines) if "raised unexpectedly" in line["message"]]
    assert lines and lines[0]["client_order_id"] == order.client_order_id
    assert "RuntimeError" in lines[0]["exception"]


@pytest.mark.parametrize("given", ["", "short", "x" * 65, "bad id\nforged: line", "ok;rm -rf"])
def test_a_request_id_that_is_not_plain_is_replaced(given):
    response = Client().get("/healthz", headers={"X-Request-ID": given} if given else {})
    answered = response["X-Request-ID"]
    assert answered != given and len(answered) == 32 and answered.isalnum()


def test_the_plain_format_appends_the_ids_when_set():
    record = logging.LogRecord("egis.pipeline", logging.INFO, __file__, 1, "hello", None, None)
    record.request_id, record.client_order_id = "req-1", "egis-1-abc"
    line = PlainFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO hello [request_id=req-1 client_order_id=egis-1-abc]"


def test_json_logs_are_a_setting(settings):
    # The settings module picks the formatter from EGIS_LOG_JSON (read at start).
    from django.conf import settings as live

    assert live.LOGGING["handlers"]["console"]["filters"] == ["context"]
    assert live.LOGGING["formatters"]["json"]["()"] == "egis.ops.logs.JsonFormatter"
