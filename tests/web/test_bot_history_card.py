"""The bot page sends the Settings history card's first page: the owner's and an admin's view
of the same rows, ten at a time, and nothing for another trader (the page is a 404)."""

from __future__ import annotations

import pytest

from egis.bots.services import bot_update
from egis.signals.hooks import hook_create
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db(transaction=True)


def _budget(bot, value: str, actor) -> None:
    bot.refresh_from_db()
    bot_update(
        bot=bot,
        name=bot.name,
        budget_usd=value,
        leverage=bot.leverage,
        is_active=bot.is_active,
        actor=actor,
    )


def test_the_bot_page_sends_the_last_ten_changes_in_words(client, bob, alice, charlie, paper_bot):
    issued = hook_create(bot_id=paper_bot.pk, actor=bob)
    for n in range(1, 11):
        _budget(paper_bot, str(100 + 50 * n), bob if n % 2 else alice)

    login(client, bob)
    history = inertia(client, f"/bots/{paper_bot.pk}")["props"]["history"]
    assert (history["count"], history["page"], history["pages"], len(history["items"])) == (
        12,
        1,
        2,
        10,
    )
    newest = history["items"][0]
    assert (newest["words"], newest["who"]) == ("Budget $550.00 → $600.00", "An admin")
    assert history["items"][1]["who"] == "You"
    assert issued.secret not in str(history)

    login(client, alice)
    admin = inertia(client, f"/bots/{paper_bot.pk}")["props"]["history"]
    assert [i["id"] for i in admin["items"]] == [i["id"] for i in history["items"]]
    assert admin["items"][0]["who"] == "You" and admin["items"][1]["who"] == "bob (owner)"

    login(client, charlie)
    assert client.get(f"/bots/{paper_bot.pk}", HTTP_X_INERTIA="true").status_code == 404
