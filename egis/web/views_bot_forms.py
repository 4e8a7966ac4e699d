"""Bot forms: create and edit a bot (name, budget, venue, account, leverage, risk limits).
Parse, call one service, render; refusals go next to their field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from egis.bots.services import BotInputError, bot_create, bot_update
from egis.core.choices import Venue
from egis.core.inputs import InputError, parse_id, parse_leverage
from egis.ledger.budget import BudgetBelowHeld
from egis.ledger.risk import RISK_FIELDS, RiskLimits
from egis.portfolio.pause import paused_message
from egis.venues.selectors import account_find, accounts_of, symbol_filters
from egis.web.access import visible_bot
from egis.web.inertia import (
    back_with_errors,
    current_user,
    field,
    form_data,
    page,
    see_other,
)


def _form_options(request: HttpRequest) -> dict[str, object]:
    user = current_user(request)
    paper_symbols = list(symbol_filters("paper").values_list("symbol", flat=True))
    accounts = accounts_of(user)
    return {
        "venues": [{"value": v.value, "label": v.label} for v in Venue],
        "symbols": {Venue.PAPER.value: paper_symbols, Venue.BINANCE_FUTURES.value: paper_symbols},
        "accounts": [
            {"value": str(a.pk), "label": a.label or f"{a.get_environment_display()} #{a.pk}"}
            for a in accounts
        ],
    }


def _leverage(raw: str) -> int | None:
    try:
        return parse_leverage(raw)
    except InputError:
        return None


# Where the form shows a service's refusal: the grammar's field names -> the page's fields.
_BOT_FORM_FIELDS = {"name": "name", "symbol": "symbol", "budget": "budget_usd"}
_BOT_FORM_FIELDS |= {"leverage": "leverage", "exchange_account": "exchange_account"}
_BOT_FORM_FIELDS |= {name: name for name in RISK_FIELDS}


def _risk_fields(data: dict[str, Any], *, keep_missing: bool) -> dict[str, Any]:
    """The risk limit fields as typed (the service parses them; an empty field is off). On the
    edit form a field that was not sent at all stays as it is."""
    return {name: field(data, name) for name in RISK_FIELDS if name in data or not keep_missing}


# The grammar names a risk limit by its API field; the form by its label.
_RISK_LABELS = {
    "max_open_positions": "Max open positions",
    "max_order_usd": "Max USD per order",
    "cooldown_s": "Cooldown (seconds)",
    "daily_loss_limit_usd": "Daily loss limit",
}


def _bot_form_error(exc: BotInputError, prefix: str) -> dict[str, str]:
    """Each refused field's message under its field (the first one per field)."""
    errors: dict[str, str] = {}
    for one in exc.each():
        key = _BOT_FORM_FIELDS.get(one.field, "form")
        if key not in errors:
            errors[key] = _under_field(key, str(one), prefix)
    return errors


def _under_field(key: str, text: str, prefix: str) -> str:
    if key == "form":
        return f"{prefix}: {text}."
    if key in _RISK_LABELS:
        text = text.replace(key, _RISK_LABELS[key], 1)
    return f"{text[:1].upper()}{text[1:]}."


# The Active box: a JSON flag, or a plain form's words; left out (or null) is unticked.
_ACTIVE_WORDS = (None, True, False, "", "true", "false", "1", "0", "on", "off")
_TEXT_LABELS = {"budget_usd": "budget", "exchange_account": "exchange account", **_RISK_LABELS}
_BOT_TEXT_FIELDS = ("name", "venue", "symbol", "budget_usd", "leverage", "exchange_account")


def _bot_text(
    data: dict[str, Any], *, keep_missing: bool, prefix: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The form's text fields and risk limits as typed, or the error of the first field that is
    not text (an object, a list, true), under that field."""
    try:
        text = {name: field(data, name) for name in _BOT_TEXT_FIELDS}
        return text, _risk_fields(data, keep_missing=keep_missing)
    except InputError as exc:
        key = exc.field if exc.field in _BOT_FORM_FIELDS.values() else "form"
        words = exc.message.replace(exc.field, _TEXT_LABELS.get(exc.field, exc.field), 1)
        return {}, {key: _under_field(key, words, prefix)}


@login_required
@require_http_methods(["GET", "POST"])
def bot_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return page(request, "bots/form", {"mode": "create", "bot": None, **_form_options(request)})
    user = current_user(request)
    text, risk = _bot_text(form_data(request), keep_missing=False, prefix="Not created")
    if not text:
        return back_with_errors(request, "/bots/new", risk)
    account = None
    account_raw = text["exchange_account"]
    unknown_account = False
    if text["venue"] != Venue.PAPER and account_raw:
        try:
            account_id: int | None = parse_id(account_raw, field="exchange_account")
        except InputError:
            account_id = None
        account = account_find(account_id, owner=user) if account_id is not None else None
        unknown_account = account is None
    try:
        bot = bot_create(
            owner=user,
            name=text["name"],
            venue=text["venue"],
            symbol=text["symbol"],
            budget_usd=text["budget_usd"],
            leverage=text["leverage"],
            exchange_account=account,
            **risk,
            actor=user,
        )
    except BotInputError as exc:
        errors = _bot_form_error(exc, "Not created")
        if unknown_account:  # shown with the other fields' problems, not before them
            errors["exchange_account"] = "Choose one of your accounts."
        return back_with_errors(request, "/bots/new", errors)
    messages.success(request, f"Created {bot.name}.")
    return see_other(f"/bots/{bot.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def bot_edit(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    url = f"/bots/{bot.pk}/edit"
    if request.method == "GET":
        props = {
            "mode": "edit",
            "bot": {
                "id": bot.pk,
                "name": bot.name,
                "venue": bot.venue,
                "symbol": bot.symbol,
                "budget_usd": f"{bot.initial_budget_usd:.2f}",
                "leverage": bot.leverage,
                "is_active": bot.is_active,
                # Paused is apart from Active (egis.portfolio.pause): the form says so.
                "paused_note": paused_message(bot) if bot.is_paused else "",
                # The form's text: "" for a limit that is off.
                **{k: "" if v is None else str(v) for k, v in RiskLimits.of(bot).as_json().items()},
            },
            **_form_options(request),
        }
        return page(request, "bots/form", props)
    data = form_data(request)
    text, risk = _bot_text(data, keep_missing=True, prefix="Not saved")
    if not text:
        return back_with_errors(request, url, risk)
    active = data.get("is_active")
    if active not in _ACTIVE_WORDS:  # an object, a list, "maybe": never read as unticked
        return back_with_errors(
            request, url, {"form": "Not saved: is_active must be true or false."}
        )
    leverage = _leverage(text["leverage"])
    if leverage is None:
        return back_with_errors(
            request, url, {"leverage": "Leverage is a whole number from 1 to 125."}
        )
    try:
        bot_update(
            bot=bot,
            name=text["name"],
            budget_usd=text["budget_usd"],
            leverage=leverage,
            is_active=active in (True, "true", "1", "on"),
            actor=current_user(request),
            **risk,
        )
    except BudgetBelowHeld as exc:
        return back_with_errors(request, url, {"budget_usd": f"{exc}."})
    except BotInputError as exc:
        return back_with_errors(request, url, _bot_form_error(exc, "Not saved"))
    messages.success(request, "Saved.")
    return see_other(f"/bots/{bot.pk}")
