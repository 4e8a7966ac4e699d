"""Issue 10, section 2: a busy or read-only database is an answer, not a crash.

Before the venue call the page and the API say "Database busy: nothing was sent. Try again." and
nothing is sent. After the venue call the answer itself names the order and its fate: it never
depends on a session write (the session table lives in the same locked database).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest

from egis.bots.models import Bot
from egis.core.errors import DATABASE_BUSY_MESSAGE
from egis.ledger.models import Order, Position
from egis.venues.paper.models import PaperFill
from tests.support.venues import RecordingPaperVenue
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def _short_busy_timeout(settings) -> None:
    # Reconnect with a short busy timeout so a held lock answers in 0.2 s, not 20 s.
    connection.close()
    connection.settings_dict["OPTIONS"]["timeout"] = 0.2


def _restore_timeout(settings) -> None:
    connection.close()
    connection.settings_dict["OPTIONS"]["timeout"] = settings.SQLITE_BUSY_TIMEOUT_S


@contextmanager
def another_writer_holds_the_lock(mode: str = "IMMEDIATE") -> Iterator[None]:
    """A second connection on the test database file holds the write lock (another process)."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1, isolation_level=None)
    other.execute(f"BEGIN {mode}")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextmanager
def read_only_database() -> Iterator[None]:
    """The database refuses every write ("attempt to write a readonly database")."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")


@pytest.fixture
def short_timeout(settings) -> Iterator[None]:
    _short_busy_timeout(settings)
    yield
    _restore_timeout(settings)


def test_locked_database_before_the_venue_call_is_an_answer_on_the_page(
    as_bob, paper_bot, short_timeout
):
    with another_writer_holds_the_lock():
        response = post_json(
            as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
        )
    assert response.status_code == 303, response.status_code
    assert response["Location"] == f"/bots/{paper_bot.pk}"
    assert PaperFill.objects.count() == 0  # nothing reached the venue
    assert Order.objects.count() == 0
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["errors"] == {"order": DATABASE_BUSY_MESSAGE}


def test_exclusive_lock_on_a_close_puts_the_answer_on_that_position(
    as_bob, paper_bot, short_timeout
):
    from egis.ledger.pipeline import order_open

    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    with another_writer_holds_the_lock("EXCLUSIVE"):
        response = post_json(as_bob, f"/bots/{paper_bot.pk}/positions/{position.pk}/close", {})
    assert response.status_code == 303
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["errors"] == {f"position_{position.pk}": DATABASE_BUSY_MESSAGE}
    assert Position.objects.get(pk=position.pk).status == "open"
    assert PaperFill.objects.count() == 1  # only the open's fill


def test_read_only_database_before_the_venue_call_is_an_answer_on_the_page(as_bob, paper_bot):
    with read_only_database():
        response = post_json(
            as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
        )
    assert response.status_code == 303
    assert PaperFill.objects.count() == 0
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["errors"] == {"order": DATABASE_BUSY_MESSAGE}


def test_locked_database_in_the_api_is_a_503_busy_with_the_same_words(
    bob, paper_bot, short_timeout
):
    from egis.accounts.tokens import token_create
    from tests.api.conftest import ApiClient

    client = ApiClient(token_create(user=bob, name="tests")[1])
    with another_writer_holds_the_lock():
        response = client.post(
            f"/bots/{paper_bot.pk}/orders", {"intent": "open", "side": "long", "size_usd": "10"}
        )
    assert response.status_code == 503
    assert response.json() == {"code": "busy", "detail": DATABASE_BUSY_MESSAGE}
    assert response["Retry-After"] == "1"
    assert PaperFill.objects.count() == 0


def _lock_after_the_fill(settings):
    """A venue hook: right after the venue executed, another process takes the write lock and
    keeps it until the test releases it; Django reconnects with a short busy timeout."""
    release = threading.Event()
    locked = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(30)
        other.execute("ROLLBACK")
        other.close()

    def after_fill(request, report) -> None:
        threading.Thread(target=hold, daemon=True).start()
        assert locked.wait(5)
        _short_busy_timeout(settings)

    return after_fill, release


def test_an_order_that_reached_the_venue_is_named_although_the_session_cannot_be_saved(
    as_bob, paper_bot, journal_path, settings, monkeypatch
):
    """Before: the error went into the session, whose save failed on the locked database, and
    the trader got a bare 400 for an order that had executed."""
    after_fill, release = _lock_after_the_fill(settings)
    venue = RecordingPaperVenue(paper_bot, after_fill=after_fill)
    monkeypatch.setattr("egis.ledger.pipeline.venue_for", lambda bot: venue)
    try:
        response = post_json(
            as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
        )
    finally:
        release.set()
        _restore_timeout(settings)
    assert response.status_code == 303, response.status_code
    client_order_id = venue.orders[0].client_order_id
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    message = props["errors"]["order"]
    assert client_order_id in message
    assert "reached the venue but could not be booked" in message
    assert "recovery journal" in message
    assert journal_path.read_text().count(client_order_id) == 1


def test_a_booked_order_is_named_in_the_answer_without_a_session_write(as_bob, paper_bot):
    """The result rides in the response (cookie flash) and names the order."""
    session_key = as_bob.session.session_key
    response = post_json(
        as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
    )
    assert response.status_code == 303
    order = Order.objects.get()
    [sent] = CookieStorage(HttpRequest())._decode(response.cookies["messages"].value)
    assert order.client_order_id in sent.message
    assert "sessionid" not in response.cookies  # the session was not written
    assert as_bob.session.session_key == session_key
    flash = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["flash"]
    assert flash[0]["level"] == "success"
    assert order.client_order_id in flash[0]["message"]


def test_any_other_page_action_on_a_locked_database_is_an_answer(
    as_bob, paper_filters, short_timeout
):
    """Before: a raw 500 (the exception reached Django's handler)."""
    with another_writer_holds_the_lock():
        response = as_bob.post(
            "/bots/new",
            data=json.dumps(
                {"name": "New", "venue": "paper", "symbol": "BNBUSDT", "budget_usd": "50"}
                | {"leverage": "1"}
            ),
            content_type="application/json",
            HTTP_X_INERTIA="true",
            HTTP_REFERER="http://testserver/bots/new",
        )
    assert response.status_code == 303
    assert response["Location"] == "/bots/new"
    props = inertia(as_bob, "/bots/new")["props"]
    assert props["flash"] == [{"level": "error", "message": DATABASE_BUSY_MESSAGE}]
    assert props["errors"] == {}
    assert not Bot.objects.exists()
