"""Incidents page: what is known in words, the page's own repair, Open | Resolved, no empty rows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from egis.execution.incident_actions import incident_resolve
from egis.ledger.incidents import incident_record
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.venues.paper.models import PaperPosition
from tests.web.conftest import inertia, post_json

tx = pytest.mark.django_db(transaction=True)
db = pytest.mark.django_db


def _stale_paper_book(bot):
    order_open(bot_id=bot.pk, side="long", size_usd="10")
    PaperPosition.objects.filter(bot=bot).delete()  # the book lost a row its fills still hold
    [item] = drift_check(bot_id=bot.pk).drift
    return item.incident_id


@tx
def test_a_stale_paper_book_is_told_in_words_and_offers_sync_paper_state(as_alice, paper_bot):
    incident_id = _stale_paper_book(paper_bot)
    [row] = inertia(as_alice, "/incidents")["props"]["incidents"]["items"]
    assert row["id"] == incident_id
    text = " ".join(row["details"])
    assert "holds no ETH," in text
    assert "hold a long of 0.003 ETH." in text
    assert "only its book is stale" in text and "Sync Paper State" in text
    # Before: the page showed the payload as JSON and the hint named a CLI command.
    assert "egis " not in text and "{" not in text and "`" not in text
    assert row["offer"] == {"kind": "paper_sync", "bot_id": paper_bot.pk}
    assert "payload" not in row

    # The page's own action repairs it; acknowledging then closes the incident.
    url = f"/bots/{paper_bot.pk}/paper-sync"
    as_alice.post(url, data='{"confirm": true}', content_type="application/json")
    post_json(
        as_alice,
        f"/incidents/{incident_id}/resolve",
        {"resolution": "acknowledge", "reason": "synced the paper book"},
    )
    assert inertia(as_alice, "/incidents")["props"]["incidents"]["items"] == []


@db
def test_empty_fields_are_left_out(as_alice, paper_bot):
    incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0.003, venue 0")
    incident_record(
        kind="unknown_order", bot_id=paper_bot.pk, client_order_id="egis-1-a", intent="open"
    )
    unknown, drift = inertia(as_alice, "/incidents")["props"]["incidents"]["items"]
    assert drift["facts"] == []  # before: "Client order id —", "Venue order id · intent — · —"
    assert unknown["facts"] == [
        {"label": "Client order id", "value": "egis-1-a"},
        {"label": "Intent", "value": "open"},
    ]
    assert drift["offer"] is None


@db
def test_an_unknown_order_is_explained_with_what_the_page_can_do(as_alice, paper_bot):
    incident_record(
        kind="unknown_order",
        bot_id=paper_bot.pk,
        client_order_id="egis-1-b",
        intent="open",
        payload={"position_id": 7, "age_seconds": 300},
        error="recovery could not decide the fate of egis-1-b: timeout",
    )
    [row] = inertia(as_alice, "/incidents")["props"]["incidents"]["items"]
    assert row["details"][0] == (
        "An open order (egis-1-b) of bot “Bob ETH” was sent, but the venue never confirmed "
        "whether it executed. The budget reserved for it stays reserved until it is settled."
    )
    assert "Recovery could not decide its fate within 5 minutes." in row["details"]
    assert "It concerns position #7." in row["details"]
    # The advice names the actions the page offers for it (no order row: only Close position).
    assert [a["value"] for a in row["actions"]] == ["close-position"]
    assert row["details"][-1].startswith("Close position closes the ledger's position")
    assert not any("Apply venue fill" in d for d in row["details"])


@db
def test_a_venue_report_is_a_sentence_not_json(as_alice, paper_bot):
    incident_record(
        kind="db_failed_after_venue",
        bot_id=paper_bot.pk,
        client_order_id="egis-1-c",
        intent="close",
        payload={
            "position_id": 3,
            "report": {
                "status": "FILLED",
                "executed_qty": "0.003",
                "avg_price": "2934.56",
                "cum_quote_usd": "8.80368",
                "raw": {"a": 1},
            },
        },
    )
    [row] = inertia(as_alice, "/incidents")["props"]["incidents"]["items"]
    assert (
        "The venue reported the order filled, 0.003 ETH executed at an average price of "
        "$2,934.56 ($8.81)."
    ) in row["details"]
    assert not any("{" in d for d in row["details"])


@db
def test_resolved_incidents_are_listed_newest_resolution_first_and_paginated(
    as_alice, alice, paper_bot
):
    ids = [incident_record(kind="drift", bot_id=paper_bot.pk).pk for _ in range(23)]
    for pk in ids[:21]:
        incident_resolve(incident_id=pk, action="acknowledge", reason=f"checked #{pk}", actor=alice)
    props = inertia(as_alice, "/incidents")["props"]
    assert props["status"] == "open"
    assert props["counts"] == {"open": 2, "resolved": 21}
    assert [r["id"] for r in props["incidents"]["items"]] == [ids[22], ids[21]]

    first = inertia(as_alice, "/incidents?status=resolved")["props"]["incidents"]
    assert (first["page"], first["pages"], first["total"]) == (1, 2, 21)
    assert len(first["items"]) == 20
    assert first["items"][0]["id"] == ids[20]  # the last one resolved comes first
    resolved = first["items"][0]
    assert resolved["actions"] == [] and resolved["offer"] is None
    assert resolved["resolution"]["label"] == "Acknowledged"  # past tense: "Acknowledged by alice"
    assert resolved["resolution"]["by"] == "alice"
    assert resolved["resolution"]["reason"].startswith(f"checked #{ids[20]}")
    second = inertia(as_alice, "/incidents?status=resolved&page=2")["props"]["incidents"]
    assert [r["id"] for r in second["items"]] == [ids[0]]


@db
@pytest.mark.parametrize(
    "query", ["page=%C2%B2", "page=-1", "page=0", "page=99999999999", "status=x"]
)
def test_odd_filters_fall_back_instead_of_failing(as_alice, paper_bot, query):
    incident_record(kind="drift", bot_id=paper_bot.pk)
    props = inertia(as_alice, f"/incidents?{query}")["props"]
    assert props["incidents"]["page"] >= 1
    assert json.dumps(props)  # rendered


@tx
def test_close_position_from_the_page_books_the_price_the_admin_enters(as_alice, paper_bot):
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    incident = incident_record(
        kind="venue_refused_close", bot_id=paper_bot.pk, payload={"position_id": position.pk}
    )
    url = f"/incidents/{incident.pk}/resolve"
    body = {"resolution": "close-position", "reason": "venue is flat"}
    post_json(as_alice, url, body)  # no price: refused in words, nothing closed
    errors = inertia(as_alice, "/incidents")["props"]["errors"]
    assert "needs a price" in errors[f"incident_{incident.pk}"]
    # Before: the page never sent a price, so this action could not succeed from the page.
    post_json(as_alice, url, {**body, "price": "3000.5"})
    position.refresh_from_db()
    assert position.status == "closed" and position.exit_price == Decimal("3000.5")


@db
def test_acknowledge_confirm_says_it_lifts_the_halt_on_opens(as_alice, paper_bot):
    incident_record(kind="signal_drift", bot_id=paper_bot.pk)
    [row] = inertia(as_alice, "/incidents")["props"]["incidents"]["items"]
    [ack] = [a for a in row["actions"] if a["value"] == "acknowledge"]
    assert "halt on new opens is lifted" in ack["description"]
