"""Clients for the cockpit tests: the API with a real token, the pages with a session, and a
signal sender (the real webhook)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from egis.accounts.tokens import token_create
from egis.signals import throttle
from egis.signals.hooks import hook_create
from tests.api.conftest import ApiClient
from tests.signals.conftest import Sender


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    throttle.reset()
    yield
    cache.clear()
    throttle.reset()


@pytest.fixture
def api_as():
    def _as(user) -> ApiClient:
        _, raw = token_create(user=user, name="tests")
        return ApiClient(raw)

    return _as


@pytest.fixture
def page_as():
    def _as(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _as


@pytest.fixture
def sender(paper_bot) -> Sender:
    return Sender(hook_create(bot_id=paper_bot.pk))
