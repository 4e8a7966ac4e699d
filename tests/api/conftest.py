"""API fixtures: a JSON client per persona, authenticated by a real API token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from egis.accounts.tokens import token_create


class ApiClient:
    """Django's test client speaking JSON with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, raw: str | None = None, **kw: Any):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is None and method == "post":
            data = ""  # an empty JSON request, not the test client's default empty form
        kwargs: dict[str, Any] = {"headers": {**self.headers, **kw.pop("headers", {})}}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs, **kw)

    def get(self, path: str, **kw: Any):
        return self._call("get", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any):
        return self._call("post", path, body, **kw)

    def delete(self, path: str, **kw: Any):
        return self._call("delete", path, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any):
        return self._call("patch", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any):
        return self._call("put", path, body, **kw)


@pytest.fixture
def api_as():
    def _as(user) -> ApiClient:
        _, raw = token_create(user=user, name="tests")
        return ApiClient(raw)

    return _as


@pytest.fixture
def as_alice(alice, api_as) -> ApiClient:
    return api_as(alice)


@pytest.fixture
def as_bob(bob, api_as) -> ApiClient:
    return api_as(bob)


@pytest.fixture
def as_charlie(charlie, api_as) -> ApiClient:
    return api_as(charlie)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()
