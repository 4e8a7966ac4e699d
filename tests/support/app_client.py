"""A test Client that routes like `egis.wsgi.application`: `/hooks/<hook_id>` through the
webhook's own handler (settings.HOOK_MIDDLEWARE, egis/web/hook_handler.py), every other path
through Django's full chain, as gunicorn serves them. Django's own Client always takes the full
chain, which production no longer does for the webhook."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.test.client import ClientHandler

from egis.web.hook_handler import HookChainMixin, is_hook_path


class HookClientHandler(HookChainMixin, ClientHandler):
    """Django's test handler (the answer keeps its request, close_old_connections is left out)
    with the webhook's chain and route."""


class AppClient(Client):
    def __init__(self, enforce_csrf_checks: bool = False, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks, **defaults)
        self._pages = self.handler
        self._hooks = HookClientHandler(enforce_csrf_checks)

    def request(self, **request: Any) -> Any:
        path = request.get("PATH_INFO", "")
        self.handler = self._hooks if is_hook_path(path) else self._pages
        return super().request(**request)
