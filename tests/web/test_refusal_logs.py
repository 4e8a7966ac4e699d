"""Refusals in the console (newcomer report): a 403 is an expected answer, so it is one warning
line with the request id, method, path and user, never a traceback; a real 5xx still logs its
traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from egis.ledger.pipeline import order_open
from egis.ops.logs import PlainFormatter

pytestmark = pytest.mark.django_db(transaction=True)


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def _forbidden_admin_page(client: Client, _bot) -> tuple[str, object]:
    return "/incidents", client.get("/incidents")


def _forbidden_archive(client: Client, bot) -> tuple[str, object]:
    position = order_open(bot_id=bot.pk, side="long", size_usd="10").position
    path = f"/bots/{bot.pk}/positions/{position.pk}/archive"
    return path, client.post(path)


@pytest.mark.parametrize("refused", [_forbidden_admin_page, _forbidden_archive])
def test_a_403_is_one_warning_line_with_request_id_path_and_user(
    as_bob, paper_bot, caplog, settings, refused
):
    settings.DEBUG = False
    caplog.set_level(logging.INFO)
    path, response = refused(as_bob, paper_bot)
    assert response.status_code == 403
    [record] = _request_lines(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and not record.exc_text
    line = PlainFormatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "\n" not in line and "Traceback" not in line
    assert path in line and "by bob" in line and line.startswith("WARNING django.request 403")
    assert f"request_id={response['X-Request-ID']}" in line


def test_a_5xx_still_logs_its_traceback(bob, paper_bot, caplog, settings, monkeypatch):
    settings.DEBUG = False
    caplog.set_level(logging.INFO)

    def broken(*args, **kwargs):
        raise RuntimeError("a real bug")

    monkeypatch.setattr("egis.web.views_portfolio.activity", broken)
    client = Client(raise_request_exception=False)
    client.force_login(bob)
    response = client.get(f"/bots/{paper_bot.pk}/activity")
    assert response.status_code == 500
    [record] = _request_lines(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "Traceback" in PlainFormatter().format(record)
