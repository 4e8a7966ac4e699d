"""The bot page's Signals card actions: create, rotate, revoke the webhook, switch it on/off.

Create and rotate answer with the bot page itself, carrying the secret in that one answer (the
secret dialog); a reload of that URL goes back to the bot page, where it is gone for good.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from egis.core.inputs import InputError
from egis.signals.hooks import (
    HookError,
    IssuedHook,
    hook_create,
    hook_revoke,
    hook_rotate,
    hook_set_enabled,
)
from egis.signals.selectors import hook_url
from egis.signals.template import bot_tradingview_template
from egis.web.access import visible_bot
from egis.web.inertia import back_with_errors, current_user, field, form_data, see_other
from egis.web.secrets import secret_prop
from egis.web.views_bots import bot_page


def _shown_once(request: HttpRequest, issued: IssuedHook) -> HttpResponse:
    url = hook_url(issued.hook.hook_id, request.build_absolute_uri("/"))
    secret = secret_prop(
        title="Your bot's webhook",
        description="Copy the secret now: it is shown only once. Paste the message into the "
        "TradingView alert; the URL goes in its Webhook URL field.",
        items=[
            ("Webhook URL", url),
            ("Secret", issued.secret),
            ("TradingView message", bot_tradingview_template(issued.hook.bot, issued.secret)),
        ],
    )
    secret["note"] = "Egis keeps the secret only encrypted"
    return bot_page(request, visible_bot(request, issued.hook.bot_id), secret=secret)


def _issue(request: HttpRequest, bot_id: int, *, rotate: bool) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    if request.method == "GET":  # a reload of the answer that showed the secret
        return see_other(f"/bots/{bot.pk}")
    try:
        actor = current_user(request)
        issue = hook_rotate if rotate else hook_create
        issued = issue(bot_id=bot.pk, actor=actor)
    except HookError as exc:
        return back_with_errors(request, f"/bots/{bot.pk}", {"signals": str(exc)})
    return _shown_once(request, issued)


@login_required
@require_http_methods(["GET", "POST"])
def hook_create_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    return _issue(request, bot_id, rotate=False)


@login_required
@require_http_methods(["GET", "POST"])
def hook_rotate_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    return _issue(request, bot_id, rotate=True)


@login_required
@require_POST
def hook_revoke_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    try:
        hook_revoke(bot_id=bot.pk, actor=current_user(request))
    except HookError as exc:
        return back_with_errors(request, f"/bots/{bot.pk}", {"signals": str(exc)})
    messages.success(request, "Webhook revoked: its URL and secret no longer work.")
    return see_other(f"/bots/{bot.pk}")


@login_required
@require_POST
def hook_enabled_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    try:
        choice = field(form_data(request), "enabled")
    except InputError:  # not text (an object, a list, true): neither on nor off
        choice = ""
    if choice not in ("on", "off"):
        return back_with_errors(request, f"/bots/{bot.pk}", {"signals": "Choose on or off."})
    try:
        hook_set_enabled(bot_id=bot.pk, enabled=choice == "on", actor=current_user(request))
    except HookError as exc:
        return back_with_errors(request, f"/bots/{bot.pk}", {"signals": str(exc)})
    messages.success(request, f"Signals switched {choice}.")
    return see_other(f"/bots/{bot.pk}")
