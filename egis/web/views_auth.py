"""Log in and out with Django sessions; failed attempts are throttled (egis.accounts.throttle)."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from egis.accounts import throttle
from egis.core.inputs import USERNAME_MAX, InputError, parse_password, parse_text
from egis.web.inertia import back_with_errors, field, form_data, page, refusal, see_other


def _wrong_password_message(left: int) -> str:
    if left <= 0:
        return (
            "Wrong user name or password. No attempts left from this address: wait and try "
            "again later, or ask an admin to unlock your account."
        )
    attempts = "attempt" if left == 1 else "attempts"
    return f"Wrong user name or password. {left} {attempts} left from this address."


def _safe_next(request: HttpRequest, raw: str) -> str:
    try:  # a control character would end in a Location header: refused, not a 500
        raw = parse_text(raw, field="next", max_length=2000, required=False)
    except InputError:
        return "/"
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return "/"


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        if request.user.is_authenticated:
            return see_other("/")
        return page(
            request, "auth/login", {"next": _safe_next(request, request.GET.get("next", ""))}
        )
    data = form_data(request)
    try:
        password, name, next_raw = (field(data, key) for key in ("password", "username", "next"))
    except InputError as exc:  # not text: no account has such a name or password
        error_key = "username" if exc.field == "username" else "form"
        return back_with_errors(request, "/login", {error_key: refusal(exc)})
    target = _safe_next(request, next_raw)
    address = throttle.client_address(request.META)
    back = "/login" if target == "/" else f"/login?next={target}"
    try:
        username = parse_text(name, field="username", max_length=USERNAME_MAX, required=False)
        password = parse_password(password)
    except InputError:
        # No account has such a name or password (both follow the grammar): nothing to look up.
        return back_with_errors(request, back, {"form": "Wrong user name or password."})
    # Counted before the password is checked: parallel guesses each take a count of their own.
    attempt = throttle.attempt_begin(username=username, address=address)
    if attempt.state.locked:
        return back_with_errors(request, back, {"form": attempt.state.reason})
    try:
        user = authenticate(request, username=username, password=password) if username else None
    except Exception:
        throttle.attempt_give_back(attempt)  # (a busy database): no answer, not a wrong password
        raise
    if user is None:
        after = throttle.attempt_failed(attempt)
        return back_with_errors(
            request, back, {"form": _wrong_password_message(after.attempts_left)}
        )
    throttle.attempt_succeeded(attempt)
    login(request, user)
    return see_other(target)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return see_other("/login")
