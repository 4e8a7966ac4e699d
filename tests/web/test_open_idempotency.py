"""Issue 10, section 6: a replayed or scripted double submit of the Open form opens ONE position.

Every render of the bot page carries a fresh key; the POST sends it back; the pipeline returns
the first order for a key it has seen (with the bot locked), and a unique constraint on
(bot, idempotency_key) holds it at the database level.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperFill
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_render_carries_a_new_key(as_bob, paper_bot):
    first = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_form_key"]
    second = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_form_key"]
    assert len(first) >= 16 and first != second


def test_a_replayed_submit_opens_one_position(as_bob, paper_bot):
    key = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_form_key"]
    body = {"side": "long", "size_usd": "10", "idempotency_key": key}
    url = f"/bots/{paper_bot.pk}/orders/open"
    first = post_json(as_bob, url, body)
    flash_first = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["flash"]
    second = post_json(as_bob, url, body)
    flash_second = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["flash"]

    assert first.status_code == second.status_code == 303
    assert Position.objects.count() == 1
    assert Order.objects.count() == 1
    assert PaperFill.objects.count() == 1
    order = Order.objects.get()
    assert order.idempotency_key == key
    assert order.client_order_id in flash_first[0]["message"]
    # The second answer is the first result, said as such.
    assert flash_second[0]["message"].startswith("Already submitted: Opened long")
    assert order.client_order_id in flash_second[0]["message"]


def test_a_new_render_opens_a_second_position(as_bob, paper_bot):
    url = f"/bots/{paper_bot.pk}/orders/open"
    for _ in range(2):
        key = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_form_key"]
        post_json(as_bob, url, {"side": "long", "size_usd": "10", "idempotency_key": key})
    assert Position.objects.filter(status="open").count() == 2


def test_the_pipeline_returns_the_first_result_for_a_seen_key(paper_bot):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="10", idempotency_key="k-1")
    again = order_open(bot_id=paper_bot.pk, side="long", size_usd="20", idempotency_key="k-1")
    assert again.order.pk == first.order.pk
    assert again.position.pk == first.position.pk
    assert again.already_settled
    assert Order.objects.count() == 1


def test_a_bad_key_is_refused_before_anything_is_written(as_bob, paper_bot):
    response = post_json(
        as_bob,
        f"/bots/{paper_bot.pk}/orders/open",
        {"side": "long", "size_usd": "10", "idempotency_key": "x" * 65},
    )
    assert response.status_code == 303
    errors = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert "idempotency_key" in errors["order"]
    assert Order.objects.count() == 0


def test_the_database_refuses_a_second_order_with_the_same_key(paper_bot):
    order = order_open(bot_id=paper_bot.pk, side="long", size_usd="10", idempotency_key="k-2").order
    duplicate = Order.objects.get(pk=order.pk)
    duplicate.pk = None
    duplicate.client_order_id = "egis-dup-1"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
