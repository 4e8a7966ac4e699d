"""403, 404 and 500 in the app's look (dark, same layout), also with DEBUG off.

403 and 404 are Inertia pages (an Inertia visit gets a page, not a blank modal; the API gets its
JSON error shape). 500 is a plain template that needs neither the database nor the bundle: it is
what is left when something already failed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from inertia import location as inertia_location

from egis.web.inertia import page
from egis.web.middleware import page_behind

logger = logging.getLogger("egis.web")

_WORDS = {
    403: ("Not allowed", "This page is for admins only. Ask an admin if you need it."),
    404: ("Not found", "There is nothing here, or it belongs to someone else."),
}


def body_too_large(request: HttpRequest) -> HttpResponse:
    """413: what was sent is over the most a form takes (DATA_UPLOAD_MAX_MEMORY_SIZE); nothing
    was read (egis.web.middleware.BodyTooLargeMiddleware)."""
    kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return _status_page(
        request,
        413,
        title="Too large",
        message=f"What you sent is over {kb} KB, the most a form takes, so nothing was read "
        "or saved. Go back, shorten it and send it again.",
    )


def _status_page(
    request: HttpRequest, status: int, *, title: str = "", message: str = ""
) -> HttpResponse:
    if not title:
        title, message = _WORDS[status]
    if request.path.startswith("/api/"):
        code = "forbidden" if status == 403 else "not_found"
        return JsonResponse({"code": code, "detail": title.lower()}, status=status)
    try:
        response = page(
            request, "errors/status", {"status": status, "title": title, "message": message}
        )
    except Exception:  # the error page must not fail in turn
        logger.exception("error page %s failed to render", status)
        return server_error(request, status=status, title=title, message=message)
    response.status_code = status
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _status_page(request, 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _status_page(request, 403)


def server_error(
    request: HttpRequest,
    *,
    status: int = 500,
    title: str = "Something went wrong",
    message: str = "The error has been logged. Nothing you sent was lost: an order that reached "
    "the venue is in the ledger or in an incident. Reload the page to see where things stand.",
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "internal", "detail": "internal error; it has been logged"}, status=500
        )
    html = render_to_string(
        "errors/plain.html", {"status": status, "title": title, "message": message}
    )
    return HttpResponse(html, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A page posted with a missing or outdated CSRF token (a page left open across a login
    elsewhere) is refused (403), in words: an Inertia visit is sent back to its page (a full
    reload, which also brings a fresh token) with the word as a flash, never Django's bare 403
    in a modal."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "forbidden", "detail": f"CSRF check failed: {reason}"}, status=403
        )
    logger.warning("csrf failure on %s %s: %s", request.method, request.path, reason)
    words = "This page was out of date, so nothing was sent. Try again."
    back = page_behind(request)
    if request.headers.get("X-Inertia"):
        messages.warning(request, words)
        return inertia_location(back)  # 409 + X-Inertia-Location: the client reloads `back`
    return server_error(request, status=403, title="Page out of date", message=words)
