"""Close all: an admin closes every open position of a bot, each once, each its own close-intent
order through the pipeline; what the confirm sheet lists is what is sent; audited."""

from __future__ import annotations

import json

import pytest

from egis.audit.models import AuditEntry
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.portfolio.stop import CloseAllError, CloseAllResult, close_all, close_all_plan
from tests.support.cli_inprocess import run_cli
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def _open(bot, n: int) -> list[int]:
    return [order_open(bot_id=bot.pk, side="long", size_usd="20").position.pk for _ in range(n)]


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_close_all_closes_each_open_position_once_with_its_own_close_order(paper_bot, alice):
    ids = _open(paper_bot, 3)
    result = close_all(bot_id=paper_bot.pk, actor=alice).as_json()
    assert result["requested"] == 3 and result["closed"] == 3 and not result["skipped"]
    closes = list(Order.objects.filter(intent="close").order_by("id"))
    assert sorted(o.position_id for o in closes) == sorted(ids)
    assert all(o.reduce_only and o.status == "filled" for o in closes)
    assert set(Position.objects.values_list("status", flat=True)) == {"closed"}
    [audit] = AuditEntry.objects.filter(field="close_all")
    assert audit.actor_label == "alice" and all(f"#{pk} long" in audit.after for pk in ids)
    # Nothing left: a second run sends nothing.
    again = close_all(bot_id=paper_bot.pk, actor=alice).as_json()
    assert again["requested"] == 0
    assert Order.objects.filter(intent="close").count() == 3


def test_close_all_is_for_admins_only(paper_bot, bob, page_as, api_as):
    _open(paper_bot, 1)
    with pytest.raises(CloseAllError):
        close_all(bot_id=paper_bot.pk, actor=bob)
    assert (
        _post(page_as(bob), f"/bots/{paper_bot.pk}/close-all", {"confirm": True}).status_code == 403
    )
    assert api_as(bob).post(f"/bots/{paper_bot.pk}/close-all", {"expected": 1}).status_code == 403
    code, _, err = run_cli("bot", "close-all", str(paper_bot.pk), "--actor", "bob")
    assert code == 1 and "only an admin" in err
    assert Order.objects.filter(intent="close").count() == 0


def test_the_sheet_lists_what_will_be_sent_and_a_changed_plan_sends_nothing(
    paper_bot, alice, page_as
):
    ids = _open(paper_bot, 2)
    page = page_as(alice)
    plan = inertia(page, f"/bots/{paper_bot.pk}")["props"]["close_all_plan"]
    assert [p["position_id"] for p in plan] == ids
    assert all(p["sendable"] and p["side"] == "long" and p["qty"] for p in plan)
    _open(paper_bot, 1)  # one more opened after the sheet was shown
    _post(page, f"/bots/{paper_bot.pk}/close-all", {"confirm": True, "expected": 2})
    errors = inertia(page, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert "changed since the sheet was shown" in errors["close_all"]
    assert Order.objects.filter(intent="close").count() == 0
    # Without confirm: nothing.
    _post(page, f"/bots/{paper_bot.pk}/close-all", {"expected": 3})
    assert Order.objects.filter(intent="close").count() == 0
    answer = _post(page, f"/bots/{paper_bot.pk}/close-all", {"confirm": True, "expected": 3})
    assert answer.status_code == 303
    assert Order.objects.filter(intent="close").count() == 3


def test_a_position_still_opening_is_skipped_not_sent(paper_bot, alice):
    ids = _open(paper_bot, 2)
    Position.objects.filter(pk=ids[0]).update(qty=0)  # as if its open had not filled yet
    [first, second] = close_all_plan(paper_bot.pk)
    assert not first.sendable and "still opening" in first.why_not and second.sendable
    result = close_all(bot_id=paper_bot.pk, actor=alice).as_json()
    assert [s["position_id"] for s in result["sent"]] == [ids[1]]
    assert [s["position_id"] for s in result["skipped"]] == [ids[0]]


def test_the_api_and_the_cli_close_all(paper_bot, alice, api_as):
    _open(paper_bot, 2)
    api = api_as(alice)
    plan = api.get(f"/bots/{paper_bot.pk}/close-all").json()
    assert len(plan["positions"]) == 2
    assert api.post(f"/bots/{paper_bot.pk}/close-all", {"expected": 5}).status_code == 409
    assert api.post(f"/bots/{paper_bot.pk}/close-all", {}).status_code == 422
    body = api.post(f"/bots/{paper_bot.pk}/close-all", {"expected": 2}).json()
    assert body["closed"] == 2
    _open(paper_bot, 1)
    code, out, _ = run_cli(
        "bot", "close-all", str(paper_bot.pk), "--actor", "alice", "--dry-run", "--json"
    )
    assert code == 0 and len(json.loads(out)["would_send"]) == 1
    code, out, err = run_cli("bot", "close-all", str(paper_bot.pk), "--actor", "alice", "--json")
    assert code == 0, err
    assert json.loads(out)["closed"] == 1
    assert Order.objects.filter(intent="close").count() == 3


def test_close_all_is_said_as_the_admins_on_the_closed_row_and_in_the_audit_trail(
    paper_bot, alice, page_as
):
    """Not the trader's own "Closed by hand": the closed row and the audit lines name the admin
    and the Close all; a close by hand still says so."""
    from egis.ledger.pipeline import order_close
    from egis.portfolio.activity import events_page

    by_hand, by_admin = _open(paper_bot, 2)
    order_close(bot_id=paper_bot.pk, position_id=by_hand, actor=paper_bot.owner)
    close_all(bot_id=paper_bot.pk, actor=alice)
    page = inertia(page_as(paper_bot.owner), f"/bots/{paper_bot.pk}")["props"]
    texts = {row["id"]: row["close_reason_text"] for row in page["closed"]["items"]}
    assert texts == {by_hand: "Closed by hand", by_admin: "Closed by admin alice (Close all)"}

    events = events_page(paper_bot, viewer=paper_bot.owner).items
    lines = {(e["position_id"], e["action"]): e["reason"] for e in events}
    assert lines[(by_admin, "closing")] == "close 0.006 ETH by admin alice (Close all)"
    assert lines[(by_admin, "closed")].endswith(": closed by admin alice (Close all)")
    assert lines[(by_hand, "closing")] == "close 0.006 ETH by hand"
    assert lines[(by_hand, "closed")].startswith("sold 0.006 ETH at $")
    assert lines[(by_hand, "closed")].endswith(": closed by hand")
    assert lines[(by_hand, "open_filled")].startswith("bought 0.006 ETH at $")
    assert not any("settled via" in r or "reduce-only" in r for r in lines.values())


@pytest.mark.parametrize(
    ("outcomes", "summary"),
    [
        (["closed"], "1 of 1 close order booked"),
        (["closed", "refused"], "1 of 2 close orders booked"),
    ],
)
def test_the_summary_counts_in_words(outcomes, summary):
    sent = [{"outcome": outcome} for outcome in outcomes]
    assert CloseAllResult(bot_id=1, sent=sent).as_json()["summary"] == summary
