"""The webhook's own WSGI handler: `POST /hooks/<hook_id>` through a short middleware chain.

A signal sender has no session, no CSRF token, no messages and no Inertia page: the pages' full
chain (`settings.MIDDLEWARE`) and URL walk cost 0.1-0.25 ms of CPU per signal in process, more
under gunicorn, for nothing (docs/BENCHMARKS.md, benchmark 6, session 6).
`egis.wsgi.application` hands `/hooks/<hook_id>` to this handler, whose chain is
`settings.HOOK_MIDDLEWARE`: the request id of the log lines, the same security headers as every
other answer (SecurityMiddleware, the content security policy, the frame denial),
CommonMiddleware (the Host check, Content-Length) and the database-busy answer. What the answers
lose is `Vary: Cookie`, which the full chain adds because its no-store check reads the session:
a webhook answer depends on no cookie. Everything else (pages, API, static files) keeps the full
chain.

The hook route is resolved against itself (the same URL pattern object as in egis.web.urls),
not by walking the probes' and the API's patterns first. Only the route's own paths come here
(`is_hook_path`): any other path under `/hooks/` keeps the full chain and its 404 page.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern
from django.utils.module_loading import import_string

HOOK_PREFIX = "/hooks/"
HOOK_URL_NAME = "hook-receive"


@functools.cache
def _hook_route() -> URLPattern:
    """The hook route of the full URL configuration: the same pattern object, written once."""
    from egis.web import urls

    patterns = [p for p in urls.urlpatterns if getattr(p, "name", None) == HOOK_URL_NAME]
    if len(patterns) != 1 or not isinstance(patterns[0], URLPattern):
        raise RuntimeError(f"egis.web.urls must hold one `{HOOK_URL_NAME}` route")
    return patterns[0]


def is_hook_path(path_info: str) -> bool:
    """Whether the webhook route takes this path (WSGI's PATH_INFO): `/hooks/<hook_id>` and
    nothing else under /hooks/ (any other path there gets the pages' 404, from the full chain).
    No slash can appear in the id through PATH_INFO's decoding, so the route's own expression
    answers as it does on the request's path."""
    return path_info.startswith(HOOK_PREFIX) and bool(
        _hook_route().pattern.regex.search(path_info[1:])
    )


def _hook_resolver() -> URLResolver:
    """A root resolver (`^/`, like Django's own) holding only the hook route."""
    return URLResolver(RegexPattern(r"^/"), [_hook_route()])


class HookChainMixin(BaseHandler):
    """A handler whose middleware chain is `settings.HOOK_MIDDLEWARE`, not `settings.MIDDLEWARE`.

    Django's BaseHandler.load_middleware reads the setting itself; this builds the chain the same
    way (each middleware wrapped by convert_exception_to_response, its process_view,
    process_template_response and process_exception hooks collected) for a synchronous handler,
    which is all WSGI needs. `resolve_request` answers the hook route without the full URL walk.
    """

    def load_middleware(self, is_async: bool = False) -> None:
        if is_async:
            raise RuntimeError("the webhook handler is synchronous (WSGI) only")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(settings.HOOK_MIDDLEWARE):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if instance is None:
                raise RuntimeError(f"Middleware factory {path} returned None.")
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._hook_routes = _hook_resolver()
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> Any:
        if not hasattr(request, "urlconf"):
            try:
                match = self._hook_routes.resolve(request.path_info)
            except Resolver404:
                pass
            else:
                request.resolver_match = match
                return match
        return super().resolve_request(request)


class HookHandler(HookChainMixin, WSGIHandler):
    """`egis.wsgi.application`'s handler for `/hooks/<hook_id>` (`is_hook_path`)."""
