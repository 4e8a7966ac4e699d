from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The login throttle's known addresses are in the cache (its counts: tests/conftest.py).
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def inertia(client: Client, url: str) -> Any:
    """GET a page as an Inertia visit; returns the page object (component + props)."""
    response = client.get(url, HTTP_X_INERTIA="true")
    assert response.status_code == 200, (url, response.status_code)
    return json.loads(response.content)


def post_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data=json.dumps(data), content_type="application/json", HTTP_X_INERTIA="true"
    )


@pytest.fixture
def as_bob(client, bob):
    return login(client, bob)


@pytest.fixture
def as_alice(client, alice):
    return login(client, alice)


@pytest.fixture
def as_charlie(client, charlie):
    return login(client, charlie)
