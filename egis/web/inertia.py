"""Rendering helpers: every page gets the same shared props; form errors survive a redirect.

Form errors and results ride in a short-lived signed cookie (like the flash messages, which use
Django's cookie storage first), never in the session: when the database is locked or read-only
the session cannot be saved, and an answer that needed a session write became a 400 with the
trader never learning that an order had been booked (issue 10, section 2).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from inertia import render
from inertia.http import clear_history, encrypt_history

from egis.accounts.models import User
from egis.core.inputs import InputError, load_json, parse_int
from egis.ledger.selectors import open_incident_count

_ERRORS_COOKIE = "egis_errors"
_ERRORS_SALT = "egis.web.form-errors"
_ERRORS_MAX_AGE_S = 300
_ERROR_MAX_CHARS = 600  # a cookie holds ~4 kB: keep a few errors well inside it


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every page view is behind login_required
    return user


def page(request: HttpRequest, component: str, props: dict[str, Any]) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    auth_user = None
    open_incidents = 0
    if isinstance(user, User):
        # A signed-in page's props are kept encrypted in the browser history; the login page
        # drops the key (router.clearHistory), so Back after logout or expiry cannot show them.
        encrypt_history(request)
        auth_user = {
            "id": user.pk,
            "username": user.username,
            "role": user.role,
            "is_admin": user.is_admin,
        }
        if user.is_admin:
            open_incidents = open_incident_count()
    else:
        # A page for a signed-out visitor (login after logout or expiry) also tells the client,
        # with the page itself, to drop the history key: nothing waits for an effect to run.
        clear_history(request)
    shared = {
        "auth": {"user": auth_user},
        "nav": {"open_incidents": open_incidents},
        # Callables: a live page's partial reload leaves these out, and must then neither
        # consume the flash messages nor drop the form errors meant for the next full render.
        "flash": lambda: [
            {"level": m.level_tag, "message": str(m)} for m in messages.get_messages(request)
        ],
        "errors": lambda: _read_errors(request),
    }
    response = render(request, component, {**shared, **props})
    partial = "X-Inertia-Partial-Data" in request.headers or (
        "X-Inertia-Partial-Except" in request.headers
    )
    if partial:
        # inertia-django also reads the messages into every answer's page object; a refresh
        # must leave them for the full render that follows a POST's redirect, so they are
        # marked unread again (the message middleware then keeps the cookie as it is).
        storage = messages.get_messages(request)
        if isinstance(storage, BaseStorage):
            storage.used = False
    elif _ERRORS_COOKIE in request.COOKIES:
        response.delete_cookie(_ERRORS_COOKIE, samesite="Lax")
    return response


def _read_errors(request: HttpRequest) -> dict[str, str]:
    raw = request.get_signed_cookie(
        _ERRORS_COOKIE, default=None, salt=_ERRORS_SALT, max_age=_ERRORS_MAX_AGE_S
    )
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def back_with_errors(request: HttpRequest, url: str, errors: dict[str, str]) -> HttpResponse:
    """Redirect (303, so the browser follows with GET) carrying field errors to the next page.

    The errors travel in the response itself (a signed cookie), so they arrive even when the
    session cannot be written."""
    response = see_other(url)
    short = {key: message[:_ERROR_MAX_CHARS] for key, message in errors.items()}
    response.set_signed_cookie(
        _ERRORS_COOKIE,
        json.dumps(short),
        salt=_ERRORS_SALT,
        max_age=_ERRORS_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def form_data(request: HttpRequest) -> dict[str, Any]:
    """The submitted fields: Inertia posts JSON, a plain form posts urlencoded or multipart data.

    JSON is read by the one input grammar's decoder (egis.core.inputs.load_json). A body that
    is not a form or JSON we read (malformed, too deep, not UTF-8, another content type) is a
    400 before the view does anything: reading it as an empty form could act on defaults; so is
    JSON that is not an object. A body over DATA_UPLOAD_MAX_MEMORY_SIZE never gets here: it is
    a 413 (egis.web.middleware.BodyTooLargeMiddleware).
    """
    if request.content_type == "application/json":
        try:
            data = load_json(request.body) if request.body else {}
        except InputError as exc:
            raise BadRequest(exc.message) from exc
        if not isinstance(data, dict):
            # An array or a bare value is not a form: read as one with no fields, every
            # field's default would apply in silence.
            raise BadRequest("send the form's fields as a JSON object")
        return data
    if request.content_type in _FORM_TYPES or not request.body:
        return {key: request.POST.get(key) for key in request.POST}
    raise BadRequest("send the form as JSON or as form data")


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def field(data: dict[str, Any], name: str) -> str:
    """A text field: "" when it was left out (absent or JSON null), its text when it is a string
    or a whole number. A JSON number with a fraction arrives as its literal text
    (egis.core.inputs.JsonNumber), so the grammar judges exactly what was sent.

    Any other JSON type (an object, an array, true/false, a float) is refused with an
    InputError naming the field ("name must be text"): read as empty it would have let the
    field's default apply in silence (an object as a token's name made "Unnamed token")."""
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    raise InputError(f"{name} must be text", field=name)


def refusal(exc: InputError) -> str:
    """A grammar refusal as a sentence under its field ("Name must be text.")."""
    text = exc.message.rstrip(".")
    return f"{text[:1].upper()}{text[1:]}."


def sentence(prefix: str, detail: object) -> str:
    """`prefix: detail.` with one final period, also when the detail already ends with one
    ("Not changed: This password is too common." rather than "...common..")."""
    text = f"{prefix}: {str(detail).rstrip()}"
    return text if text.endswith((".", "!", "?")) else f"{text}."


def page_number(request: HttpRequest) -> int:
    """The `page` query parameter of a paginated page. A navigation parameter: anything off the
    grammar ("²", "-1", "1e3", "0") shows the first page instead of an error."""
    try:
        return parse_int(request.GET.get("page", "1"), field="page", minimum=1, maximum=999_999)
    except InputError:
        return 1
