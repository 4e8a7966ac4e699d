"""Webhook changes are in the audit trail, as a pause is: who created, rotated or revoked a bot's
webhook, and who switched its signals off or on (a newcomer found none of them listed). The
rows never carry the webhook's URL or secret: the URL is a credential too."""

from __future__ import annotations

import pytest

from egis.audit.models import AuditEntry
from egis.signals.hooks import hook_create
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import post_json

pytestmark = pytest.mark.django_db


def _rows(bot):
    entries = AuditEntry.objects.filter(object_type="bot", object_id=bot.pk).order_by("id")
    return [(e.actor_label, e.field, e.before, e.after) for e in entries if e.field != "created"]


def test_each_webhook_change_from_the_page_is_audited_with_its_author(as_bob, paper_bot):
    base = f"/bots/{paper_bot.pk}/hook"
    post_json(as_bob, base, {})
    post_json(as_bob, f"{base}/enabled", {"enabled": "off"})
    post_json(as_bob, f"{base}/enabled", {"enabled": "off"})  # no change: no row
    post_json(as_bob, f"{base}/enabled", {"enabled": "on"})
    post_json(as_bob, f"{base}/rotate", {})
    post_json(as_bob, f"{base}/revoke", {})
    assert _rows(paper_bot) == [
        ("bob", "webhook", "none", "created"),
        ("bob", "signals", "on", "off"),
        ("bob", "signals", "off", "on"),
        ("bob", "webhook", "live", "rotated: a new URL and secret"),
        ("bob", "webhook", "live", "revoked"),
    ]
    hook_ids = list(paper_bot.signal_hooks.values_list("hook_id", flat=True))
    text = " ".join(" ".join(row) for row in _rows(paper_bot))
    assert not any(hook_id in text for hook_id in hook_ids)


def test_the_cli_s_webhook_changes_name_the_cli(paper_bot):
    code, _, err = run_cli("hook", "create", str(paper_bot.pk))
    assert code == 0, err
    code, _, err = run_cli("hook", "revoke", str(paper_bot.pk))
    assert code == 0, err
    labels = {label for label, *_ in _rows(paper_bot)}
    assert len(labels) == 1 and labels.pop().startswith("cli:")


def test_a_service_call_without_an_author_is_the_system_s(paper_bot):
    hook_create(bot_id=paper_bot.pk)  # the demo data's own webhook
    assert _rows(paper_bot) == [("system", "webhook", "none", "created")]
