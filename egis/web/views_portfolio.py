"""Cockpit pages (egis.portfolio): the Bots list's portfolio header, a bot's Activity tab, the
CSV export, Pause/Resume and Close all. Parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET, require_POST

from egis.accounts.selectors import users_with_bot_counts
from egis.bots.selectors import dashboard
from egis.core.inputs import InputError, parse_choice, parse_flag, parse_id, parse_int
from egis.portfolio.activity import TABS, activity
from egis.portfolio.export import WHAT, csv_response
from egis.portfolio.pause import bot_set_paused
from egis.portfolio.stop import CloseAllError, close_all, close_all_plan
from egis.web.access import admin_required, visible_bot
from egis.web.inertia import back_with_errors, current_user, form_data, page, page_number, see_other


def _query_id(request: HttpRequest, name: str) -> int | None:
    # A navigation parameter: anything off the grammar is ignored (the whole list is shown).
    try:
        return parse_id(request.GET.get(name), field=name)
    except InputError:
        return None


def portfolio_props(request: HttpRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The Bots list's rows and the cockpit props next to them: the portfolio header and, for
    an admin, the users to filter by (`?owner=<user id>`)."""
    user = current_user(request)
    owner = _query_id(request, "owner") if user.is_admin else None
    rows, header = dashboard(user, owner_id=owner)
    owners = (
        [{"id": u.pk, "username": u.username} for u, n in users_with_bot_counts() if n]
        if user.is_admin
        else None
    )
    return rows, {"portfolio": header, "owners": owners, "owner_filter": owner}


@login_required
@require_GET
def bot_activity(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    try:
        tab = parse_choice(request.GET.get("tab", "orders"), field="tab", choices=TABS)
    except InputError:
        tab = "orders"
    props = {
        "bot": {"id": bot.pk, "name": bot.name, "symbol": bot.symbol, "venue": bot.venue},
        **activity(bot, tab=tab, viewer=current_user(request), page=page_number(request)),
    }
    return page(request, "bots/activity", props)


@login_required
@require_GET
def bot_export(request: HttpRequest, bot_id: int) -> HttpResponseBase:
    bot = visible_bot(request, bot_id)
    try:
        what = parse_choice(request.GET.get("what", ""), field="what", choices=WHAT)
    except InputError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return csv_response(bot.pk, what)


@login_required
@require_POST
def bot_pause_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    data = form_data(request)
    back = "/" if data.get("back") == "list" else f"/bots/{bot.pk}"
    try:
        paused = parse_flag(data.get("paused"), field="paused")
    except InputError as exc:
        return back_with_errors(request, back, {"pause": exc.message})
    updated, changed = bot_set_paused(bot_id=bot.pk, paused=paused, actor=current_user(request))
    word = "paused" if paused else "resumed"
    if changed and paused:
        messages.success(request, f"{updated.name} paused: new opens are refused; closes work.")
    elif changed:
        messages.success(request, f"{updated.name} resumed: opens are allowed again.")
    else:
        messages.info(request, f"{updated.name} was already {word}: nothing changed.")
    return see_other(back)


@admin_required
@require_POST
def bot_close_all_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    url = f"/bots/{bot.pk}"
    data = form_data(request)
    try:
        if not parse_flag(data.get("confirm"), field="confirm"):
            raise InputError("confirm must be true to send the closes", field="confirm")
        expected = parse_int(data.get("expected"), field="expected", minimum=0, maximum=10_000)
    except InputError as exc:
        return back_with_errors(request, url, {"close_all": exc.message})
    sendable = sum(1 for p in close_all_plan(bot.pk) if p.sendable)
    if sendable != expected:
        return back_with_errors(
            request,
            url,
            {
                "close_all": f"The open positions changed since the sheet was shown ({expected} "
                f"listed, {sendable} now): nothing was sent. Look again and confirm."
            },
        )
    try:
        result = close_all(bot_id=bot.pk, actor=current_user(request)).as_json()
    except CloseAllError as exc:
        return back_with_errors(request, url, {"close_all": str(exc)})
    problems = [s for s in result["sent"] if s["outcome"] not in ("closed", "partial")]
    text = f"Close all: {result['summary']}."
    for p in problems:
        text += f" #{p['position_id']}: {p['message']}"
    (messages.warning if problems else messages.success)(request, text)
    return see_other(url)
