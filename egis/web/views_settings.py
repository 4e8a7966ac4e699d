"""Settings: profile, the person's own API tokens and exchange accounts (secrets masked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egis.accounts import throttle
from egis.accounts.services import UserInputError, WrongCurrentPassword, user_password_change
from egis.accounts.tokens import TokenError, token_create, token_list, token_revoke
from egis.core.choices import Venue
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError
from egis.notifications.selectors import (
    deliveries_of,
    delivery_json,
    notification_settings_json,
)
from egis.venues.models import Environment, ExchangeAccount
from egis.venues.secrets import masked_secret
from egis.venues.selectors import accounts_of
from egis.web.inertia import (
    back_with_errors,
    current_user,
    field,
    form_data,
    page,
    see_other,
    sentence,
)
from egis.web.secrets import secret_prop


def _mask(value: str) -> str:
    return f"••••••{value[-4:]}" if len(value) > 8 else "••••••"


def _secret_mask(account: ExchangeAccount) -> str:
    return masked_secret(account.api_secret_encrypted)


def _account_json(account: ExchangeAccount) -> dict[str, object]:
    return {
        "id": account.pk,
        "label": account.label,
        "venue_label": account.get_venue_display(),
        "environment_label": account.get_environment_display(),
        "api_key_masked": _mask(account.api_key),
        "api_secret_masked": _secret_mask(account),
        "created_at": account.created_at.isoformat(),
    }


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings(request, new_token=None)


def settings_render(request: HttpRequest, *, secret: dict[str, object] | None) -> HttpResponse:
    """The Settings page showing a secret once (egis.web.views_notifications)."""
    return _settings(request, new_token=None, secret=secret)


def _settings(
    request: HttpRequest, *, new_token: str | None, secret: dict[str, object] | None = None
) -> HttpResponse:
    user = current_user(request)
    tokens = token_list(user=user)
    accounts = accounts_of(user)
    return page(
        request,
        "settings/index",
        {
            "tokens": [
                {
                    "id": t.pk,
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                    "revoked": t.revoked_at is not None,
                }
                for t in tokens
            ],
            # The clear token exists only in the one answer to its creation: never in the
            # session (sessions live in the database) nor anywhere else on the server.
            "secret": secret_prop(
                title="Your new API token",
                description="Copy it now: it is shown only once and cannot be shown again.",
                items=[("API token", new_token)],
            )
            if new_token
            else secret,
            "password_rules": password_validators_help_texts(),
            "accounts": [_account_json(a) for a in accounts],
            "notifications": {
                **notification_settings_json(user),
                "log": [delivery_json(d) for d in deliveries_of(user)],
            },
            "environments": [
                {"value": e.value, "label": e.label}
                for e in Environment
                if e != Environment.PRODUCTION
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # a reload of the page that showed a new token
        return see_other("/settings")
    try:
        _, raw = token_create(user=current_user(request), name=field(form_data(request), "name"))
    except (TokenError, InputError) as exc:  # InputError: a name that is not text
        return back_with_errors(request, "/settings", {"token": f"Not created: {exc}."})
    return _settings(request, new_token=raw)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = current_user(request)
    # Only the person's own tokens exist for them here (an admin revokes others' from the CLI).
    if not any(t.pk == token_id for t in token_list(user=user)):
        raise Http404("no such token")
    token_revoke(token_id=token_id, actor=user)
    messages.success(request, "Token revoked.")
    return see_other("/settings")


@login_required
@require_POST
def account_new(request: HttpRequest) -> HttpResponse:
    from egis.venues.accounts import account_create

    data = form_data(request)
    try:
        account_create(
            owner=current_user(request),
            venue=Venue.BINANCE_FUTURES,
            environment=field(data, "environment"),
            api_key=field(data, "api_key"),
            api_secret=field(data, "api_secret"),
            label=field(data, "label"),
        )
    except UserFacingError as exc:
        return back_with_errors(request, "/settings", {"account": f"Not added: {exc}."})
    messages.success(request, "Exchange account added. Its secret is stored encrypted.")
    return see_other("/settings")


def _attempts_left(n: int) -> str:
    if n <= 0:
        return "no attempts left: wait or ask an admin to unlock your account"
    return f"{n} attempt left" if n == 1 else f"{n} attempts left"


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    address = throttle.client_address(request.META)
    data = form_data(request)
    try:
        current, new, confirm = (
            field(data, name) for name in ("current_password", "new_password", "confirm_password")
        )
    except InputError as exc:  # not text: refused before it counts as a guess
        return back_with_errors(request, "/settings", {"password": sentence("Not changed", exc)})
    # The current password is a guess like a login's: counted before it is checked, so
    # parallel guesses each take a count of their own (egis.accounts.throttle).
    attempt = throttle.attempt_begin(username=user.username, address=address)
    if attempt.state.locked:
        return back_with_errors(request, "/settings", {"password": attempt.state.reason})
    try:
        user_password_change(
            user=user,
            current=current,
            new=new,
            confirm=confirm,
        )
    except WrongCurrentPassword as exc:
        after = throttle.attempt_failed(attempt)
        return back_with_errors(
            request,
            "/settings",
            {"current_password": f"Not changed: {exc} ({_attempts_left(after.attempts_left)})."},
        )
    except UserInputError as exc:
        throttle.attempt_give_back(attempt)
        return back_with_errors(request, "/settings", {"password": sentence("Not changed", exc)})
    except Exception:
        throttle.attempt_give_back(attempt)  # (a busy database): no answer, not a wrong password
        raise
    throttle.attempt_give_back(attempt)
    # The session's hash follows the new password: this session stays logged in, the
    # person's other sessions end.
    update_session_auth_hash(request, user)
    messages.success(request, "Password changed. Your other sessions are logged out.")
    return see_other("/settings")
