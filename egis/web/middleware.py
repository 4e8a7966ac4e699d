"""Security headers the pages need beyond Django's SecurityMiddleware."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from inertia.middleware import InertiaMiddleware

from egis.core.errors import DATABASE_BUSY_MESSAGE

logger = logging.getLogger("egis.web")

# Scripts only from our own origin (the Vite bundle); the Inertia page data is an inert JSON
# script tag. Inline styles are allowed because Radix and the chart set element styles.
_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The Vite dev server serves modules and hot updates from its own origin.
_DEV_ORIGIN = "http://127.0.0.1:5173 http://localhost:5173"
_CSP_DEV = (
    _CSP.replace("script-src 'self'", f"script-src 'self' 'unsafe-inline' {_DEV_ORIGIN}")
    .replace("style-src 'self'", f"style-src 'self' {_DEV_ORIGIN}")
    .replace("connect-src 'self'", f"connect-src 'self' {_DEV_ORIGIN} ws://127.0.0.1:5173")
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            dev = settings.DJANGO_VITE["default"].get("dev_mode", False)
            response["Content-Security-Policy"] = _CSP_DEV if dev else _CSP
        return response


class PrivatePagesNoStoreMiddleware:
    """Pages and API answers for a signed-in person are never stored by the browser or a proxy:
    after logout, Back must not bring budgets, tokens or passwords back from a cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or bool(
            getattr(request, "auth", None)  # an API call with a bearer token
        )
        if signed_in and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response


# Page actions that need no session: signing in and out.
_OPEN_ACTIONS = frozenset({"/login", "/logout"})


def page_behind(request: HttpRequest) -> str:
    """The page an action was sent from (its Referer, when it is ours), else the dashboard."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path and parts.path not in _OPEN_ACTIONS:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


class StaleActionLoginMiddleware:
    """An action (POST) sent from a page whose session has ended goes through login and back to
    that page with a GET: never to the action's URL (GET on it is a 405) and never to a blank
    Inertia modal. Sits after AuthenticationMiddleware; the JSON API answers 401 on its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and user is not None
            and not user.is_authenticated
            and request.path not in _OPEN_ACTIONS
            and not request.path.startswith("/api/")
            and not request.path.startswith("/hooks/")  # webhooks: no session by design
        ):
            login = f"/login?{urlencode({'next': page_behind(request)})}"
            response = HttpResponseRedirect(login)
            response.status_code = 303  # the browser follows with GET
            return response
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A locked or read-only database on any page is an answer, not a 500: an action goes back
    to its page with "Database busy: nothing was sent. Try again." (a cookie flash: the session
    lives in that same database), a page read answers 503 in the app's look. The order views
    answer this themselves, next to the form or the position; this catches every other page.
    The JSON API has its own handler (503 "busy")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError) or request.path.startswith("/api/"):
            return None
        logger.warning("page %s %s: database busy: %s", request.method, request.path, exception)
        if request.method == "POST":
            messages.error(request, DATABASE_BUSY_MESSAGE)
            response = HttpResponseRedirect(page_behind(request))
            response.status_code = 303
            return response
        from egis.web.views_errors import server_error

        return server_error(
            request, status=503, title="Database busy", message=DATABASE_BUSY_MESSAGE
        )


class BodyTooLargeMiddleware:
    """A page request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE is the client's fault: a
    413 in the app's look (an Inertia visit gets the error page, not a bare modal), logged as one
    warning line, without the body or a traceback.

    Django itself raises RequestDataTooBig when the body is read (by the view's form_data, or
    first by the CSRF check reading a form's token), answered 400 and logged as an ERROR with a
    traceback on django.security. The same rule (the declared Content-Length against the limit)
    is checked here before anything reads the body. The JSON API (its own 413 "too_large",
    egis.api.errors) and the webhook (its own 413, egis.web.views_hooks) answer for themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH") or ""
        if (
            limit is None
            # Django reads a missing or odd length as no body ("²" is a digit to isdigit, not
            # to int: ASCII digits only)
            or not (length.isascii() and length.isdigit())
            or int(length) <= limit
            or request.path.startswith(("/api/", "/hooks/"))
        ):
            return self.get_response(request)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        logger.warning(
            "413 body too large: %s %s by %s: %s bytes, the limit is %s",
            request.method,
            request.path,
            who,
            length,
            limit,
        )
        from egis.web.views_errors import body_too_large

        response = body_too_large(request)
        # The line above is the answer's one log line: django.request adds none of its own.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response


class HookDatabaseBusyMiddleware:
    """The webhook chain's database-busy handling (settings.HOOK_MIDDLEWARE): a locked or
    read-only database anywhere in the webhook answers its JSON 503 "busy", as the webhook view
    does around the receipt itself (a sender has no page to go back to, nor a session for a
    message)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        from egis.web.views_hooks import busy

        return busy(exception)


class InertiaPagesMiddleware(InertiaMiddleware):
    """Inertia's middleware, except for the webhooks (`/hooks/`): no session, no page, no form
    there, so no CSRF cookie is minted on every answer (a random token and a Set-Cookie header
    per signal, ~17 % of a webhook's CPU in the app: docs/BENCHMARKS.md, benchmark 6) and no
    `Vary: X-Inertia`. The JSON API keeps it (a signed-in page may call it with its session)."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/hooks/"):
            return self.get_response(request)
        return super().__call__(request)
