"""`egis hook create|rotate|revoke`, `egis signals`, `egis signal process`, in this process."""

from __future__ import annotations

import json

import pytest

from egis.signals.models import SignalHook
from tests.signals.conftest import Sender
from tests.support.cli_inprocess import run_cli

pytestmark = pytest.mark.django_db(transaction=True)


def _json(*args: str) -> dict:
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_hook_create_prints_url_and_secret_once_then_signals_lists_them(paper_bot, queue_only):
    created = _json("hook", "create", str(paper_bot.pk))
    hook = SignalHook.objects.get()
    assert created["url"] == f"/hooks/{hook.hook_id}"
    assert created["secret"] and created["secret"] not in hook.secret_encrypted
    assert json.loads(created["template"])["secret"] == created["secret"]

    from egis.signals.hooks import IssuedHook

    sender = Sender(IssuedHook(hook=hook, secret=created["secret"]))
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "c1"})
    sender.post({"action": "close", "id": "c2"})
    queued = _json("signals", str(paper_bot.pk), "--status", "queued")
    assert [s["status"] for s in queued["signals"]] == ["queued", "queued"]

    processed = _json("signal", "process")
    assert [p["status"] for p in processed["processed"]] == ["executed", "executed"]
    listed = _json("signals", str(paper_bot.pk))
    assert listed["total"] == 2
    close, open_ = listed["signals"]
    assert set(open_) >= {"id", "status", "reason", "client_order_ids"}
    assert len(open_["client_order_ids"]) == 1 and len(close["client_order_ids"]) == 1
    assert created["secret"] not in json.dumps(listed)


def test_hook_rotate_and_revoke(paper_bot):
    first = _json("hook", "create", str(paper_bot.pk))
    code, _, err = run_cli("hook", "create", str(paper_bot.pk))
    assert code == 1 and "already has a webhook" in err
    second = _json("hook", "rotate", str(paper_bot.pk))
    assert second["url"] != first["url"] and second["secret"] != first["secret"]
    revoked = _json("hook", "revoke", str(paper_bot.pk))
    assert revoked["revoked_at"]
    code, _, err = run_cli("hook", "revoke", str(paper_bot.pk))
    assert code == 1 and "no webhook" in err


@pytest.mark.parametrize(
    "args",
    [
        ("hook", "create", "999999"),
        ("hook", "create", "abc"),
        ("signals", "0"),
        ("signals", "1", "--limit", "1e3"),
    ],
)
def test_bad_arguments_exit_1_with_one_line(paper_bot, args):
    code, _, err = run_cli(*args)
    assert code == 1 and len(err.strip().splitlines()) == 1
