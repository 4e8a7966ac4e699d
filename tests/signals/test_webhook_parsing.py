"""Hostile bodies and headers on `POST /hooks/<hook_id>` must never give a 5xx."""

from __future__ import annotations

import json

import pytest

from egis.signals.models import Signal

pytestmark = pytest.mark.django_db(transaction=True)

OPEN = {"action": "open", "side": "long", "size_usd": "20"}


def _no_raise(sender):
    sender.client.raise_request_exception = False
    return sender


def test_signature_header_with_non_ascii_hex_is_refused_not_500(sender):
    _no_raise(sender)
    body = json.dumps(OPEN).encode()
    # A latin-1 byte in the header, as gunicorn hands it over in WSGI's environ.
    answer = sender.raw(body, **{"X-Egis-Signature": "t=1700000000,v1=\u00e9"})
    assert answer.status_code == 404
    unknown = sender.raw(
        body, url="/hooks/no-such-hook-000000000000000", **{"X-Egis-Signature": "t=1,v1=\u00e9"}
    )
    assert unknown.status_code == 404
    # The one refusal, byte for byte: the same as a wrong signature's (no oracle).
    wrong = sender.raw(body, **{"X-Egis-Signature": "t=1700000000,v1=" + "0" * 64})
    assert answer.content == unknown.content == wrong.content


@pytest.mark.parametrize("stamp", [999_999_999_999_999, "999999999999999", 253_402_300_800_000])
def test_far_future_unix_timestamp_is_rejected_not_500(sender, stamp):
    _no_raise(sender)
    answer = sender.post({**OPEN, "id": "far", "timestamp": stamp})
    assert answer.status_code == 422, answer.content
    assert Signal.objects.get().status == "rejected"


def test_a_locked_throttle_counter_answers_busy_not_500(sender, settings):
    import os
    import sqlite3

    from egis.signals import throttle

    _no_raise(sender)
    path = os.path.join(settings.DATA_DIR, throttle.COUNTER_FILE_NAME)
    other = sqlite3.connect(path, isolation_level=None)  # another process's write, held long
    other.execute("BEGIN EXCLUSIVE")
    try:
        answer = sender.post({**OPEN, "id": "locked"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert answer.status_code == 503, answer.status_code
    assert answer.json()["error"] == "busy"
    assert not Signal.objects.exists()  # nothing recorded: the sender may try again


def test_a_nul_in_an_ignored_field_is_recorded_without_it_and_not_traded(sender):
    # The comment is ignored, but the body is kept with the signal: PostgreSQL's jsonb cannot
    # hold a NUL, so it answered 500 there (review). Recorded with U+FFFD in its place, refused.
    _no_raise(sender)
    secret = sender.issued.secret
    body = json.dumps({**OPEN, "id": "n1", "comment": "a\u0000b", "secret": secret}).encode()
    answer = sender.raw(body)
    assert answer.status_code == 422, answer.content
    signal = Signal.objects.get()
    assert signal.status == "rejected" and signal.reason_code == "malformed"
    assert "NUL character" in signal.reason
    assert signal.body["comment"] == "a\ufffdb"
