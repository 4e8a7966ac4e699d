"""Rendering helpers: every page gets the same shared props; form errors survive a redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from inertia import render

from egis.accounts.models import User
from egis.core.inputs import InputError, load_json
from egis.ledger.models import PendingReconciliation, ReconciliationStatus

_ERRORS_KEY = "egis_form_errors"


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every page view is behind login_required
    return user


def page(request: HttpRequest, component: str, props: dict[str, Any]) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    auth_user = None
    open_incidents = 0
    if isinstance(user, User):
        auth_user = {
            "id": user.pk,
            "username": user.username,
            "role": user.role,
            "is_admin": user.is_admin,
        }
        if user.is_admin:
            open_incidents = PendingReconciliation.objects.filter(
                status=ReconciliationStatus.OPEN
            ).count()
    flash = [{"level": m.level_tag, "message": str(m)} for m in messages.get_messages(request)]
    shared = {
        "auth": {"user": auth_user},
        "nav": {"open_incidents": open_incidents},
        "flash": flash,
        "errors": request.session.pop(_ERRORS_KEY, {}),
    }
    return render(request, component, {**shared, **props})


def back_with_errors(request: HttpRequest, url: str, errors: dict[str, str]) -> HttpResponse:
    """Redirect (303, so the browser follows with GET) carrying field errors to the next page."""
    request.session[_ERRORS_KEY] = errors
    return see_other(url)


def see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def form_data(request: HttpRequest) -> dict[str, Any]:
    """The submitted fields: Inertia posts JSON, a plain form posts urlencoded or multipart data.

    JSON is read by the one input grammar's decoder (egis.core.inputs.load_json). A body that
    is not a form or JSON we read (malformed, too deep, not UTF-8, another content type) is a
    400 before the view does anything: reading it as an empty form could act on defaults. A
    body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 400 from Django itself.
    """
    if request.content_type == "application/json":
        try:
            data = load_json(request.body) if request.body else {}
        except InputError as exc:
            raise BadRequest(exc.message) from exc
        return data if isinstance(data, dict) else {}
    if request.content_type in _FORM_TYPES or not request.body:
        return {key: request.POST.get(key) for key in request.POST}
    raise BadRequest("send the form as JSON or as form data")


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def field(data: dict[str, Any], name: str) -> str:
    """A text field; anything that is not a string or number counts as empty. A JSON number
    with a fraction arrives as its literal text (egis.core.inputs.JsonNumber), so the grammar
    judges exactly what was sent."""
    value = data.get(name)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (str, int)):
        return str(value)
    return ""
