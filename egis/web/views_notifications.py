"""Settings → Notifications: the person's Telegram chat, webhook and events, a test message,
and a new webhook secret. Parse, call one service, present; the Settings page shows the rest."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from egis.core.errors import UserFacingError
from egis.notifications.presenters import FIELD_KEYS, FORM_LABELS, in_words, saved_sentence
from egis.notifications.services import notify_settings_update, notify_test, webhook_secret_rotate
from egis.web.inertia import back_with_errors, current_user, form_data, see_other, sentence
from egis.web.secrets import secret_prop
from egis.web.views_settings import settings_render


def _given(data: dict[str, Any], name: str) -> object:
    """None when the form left the field out (unchanged); the value itself otherwise, so the
    grammar judges whatever was sent (a list where text belongs is refused, not emptied)."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _webhook_secret(secret: str) -> dict[str, Any]:
    prop = secret_prop(
        title="Your webhook signing secret",
        description="Copy it now: it is shown only once. Your receiver uses it to check that "
        "each message really comes from Egis: every message carries a signature made with it.",
        items=[("Webhook secret", secret)],
    )
    prop["note"] = "Egis keeps the secret only encrypted"
    return prop


@login_required
@require_http_methods(["GET", "POST"])
def notifications_update(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # a reload of the page that showed a new secret
        return see_other("/settings")
    data = form_data(request)
    try:
        result = notify_settings_update(
            user=current_user(request),
            telegram_token=_given(data, "telegram_token"),
            telegram_chat_id=_given(data, "telegram_chat_id"),
            webhook_url=_given(data, "webhook_url"),
            events_chosen=_given(data, "events"),
        )
    except UserFacingError as exc:
        field = getattr(exc, "field", "")
        key = field if field in FIELD_KEYS else "notifications"
        # In the form's words ("Chat id is missing", not "telegram_chat_id ...").
        words = in_words(exc, FORM_LABELS)
        text = f"{words}." if key == "notifications" else sentence("Not saved", words)
        return back_with_errors(request, "/settings", {key: text})
    saved = saved_sentence(result)
    if result.settings.telegram_on or result.settings.webhook_on:
        messages.success(request, saved)
    else:
        messages.warning(request, saved)
    if result.webhook_secret:
        # The clear secret exists only in this one answer (like a new API token).
        return settings_render(request, secret=_webhook_secret(result.webhook_secret))
    return see_other("/settings")


@login_required
@require_http_methods(["GET", "POST"])
def notifications_secret_rotate(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return see_other("/settings")
    try:
        result = webhook_secret_rotate(user=current_user(request))
    except UserFacingError as exc:
        return back_with_errors(request, "/settings", {"notifications": sentence("Not done", exc)})
    assert result.webhook_secret is not None
    messages.success(request, "New webhook secret: the old one no longer signs anything.")
    return settings_render(request, secret=_webhook_secret(result.webhook_secret))


@login_required
@require_POST
def notifications_test(request: HttpRequest) -> HttpResponse:
    try:
        count = notify_test(user=current_user(request))
    except UserFacingError as exc:
        return back_with_errors(request, "/settings", {"notifications": sentence("Not sent", exc)})
    where = "your Telegram chat and webhook" if count == 2 else "your channel"
    messages.success(
        request, f"Test queued for {where}: the delivery log below shows when it is sent."
    )
    return see_other("/settings")
