"""403, 404 and 500 in the app's look (dark, same layout), also with DEBUG off.

403 and 404 are Inertia pages (an Inertia visit gets a page, not a blank modal; the API gets its
JSON error shape). 500 is a plain template that needs neither the database nor the bundle: it is
what is left when something already failed.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from egis.web.inertia import page

logger = logging.getLogger("egis.web")

_WORDS = {
    403: ("Not allowed", "This page is for admins only. Ask an admin if you need it."),
    404: ("Not found", "There is nothing here, or it belongs to someone else."),
}


def _status_page(request: HttpRequest, status: int) -> HttpResponse:
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
