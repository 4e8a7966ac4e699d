"""Bot pages: parse, call one service, render. Orders go only through the ledger pipeline."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egis.bots.models import Bot
from egis.bots.selectors import bot_detail, shown_net
from egis.bots.services import BotInputError, bot_create, bot_delete, bot_update, position_archive
from egis.bots.settings_history import bot_settings_history
from egis.core.choices import Venue
from egis.core.errors import DATABASE_BUSY_MESSAGE
from egis.core.inputs import InputError, load_json, parse_id, parse_leverage
from egis.exits.rules import InvalidExit, parse_changes
from egis.ledger.budget import BudgetBelowHeld
from egis.ledger.errors import InvalidOrderInput, OrderNotBooked, OrderRefused
from egis.ledger.order_inputs import parse_person_idempotency_key
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.quote import amount_in_words
from egis.ledger.risk import RISK_FIELDS, RiskLimits
from egis.ledger.selectors import position_of_bot
from egis.portfolio.activity import symbol_steps
from egis.portfolio.fill_words import closed_text, opened_text, partly_closed_text
from egis.portfolio.pause import paused_message
from egis.signals.selectors import last_signal_acted, signals_card
from egis.venues.selectors import account_find, accounts_of, symbol_filters
from egis.web.access import visible_bot
from egis.web.inertia import (
    back_with_errors,
    current_user,
    field,
    form_data,
    page,
    page_number,
    refusal,
    see_other,
    sentence,
)
from egis.web.live import bot_live_props, dashboard_live_props
from egis.web.paper_sync import run_paper_sync
from egis.web.views_portfolio import portfolio_props

logger = logging.getLogger("egis.web")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    rows, cockpit = portfolio_props(request)  # with the portfolio header (egis.portfolio)
    acted = last_signal_acted([row["id"] for row in rows])
    for row in rows:
        row["last_signal_at"] = acted.get(row["id"])
    live = dashboard_live_props([row["symbol"] for row in rows])
    return page(request, "bots/index", {"bots": rows, **cockpit, **live})


@login_required
@require_GET
def bot_show(request: HttpRequest, bot_id: int) -> HttpResponse:
    return bot_page(request, visible_bot(request, bot_id))


def bot_page(
    request: HttpRequest, bot: Bot, *, secret: dict[str, Any] | None = None
) -> HttpResponse:
    """The bot page; `secret` only in the one answer that created a webhook secret."""
    viewer = current_user(request)
    props = bot_detail(viewer, bot, page=page_number(request))
    # The same JSON array, but inertia-django walks every dict inside a list prop (per key, a
    # partial-reload check): for the chart's 500 points that walk cost more than the page's
    # queries. A tuple is sent as is (bench/pages.py).
    props["pnl_series"] = tuple(props["pnl_series"])
    # Likewise the closed page's rows and the admin's archive list (issue 13, benchmark 8): the
    # walk of their nested dicts was most of what a page of closed rows added to the page.
    props["closed"] = {**props["closed"], "items": tuple(props["closed"]["items"])}
    props["archivable"] = tuple(props["archivable"])
    # One key per render of the open form: a replayed or double submit opens one position.
    props["open_form_key"] = secrets.token_urlsafe(16)
    base_url = request.build_absolute_uri("/")
    admin = viewer.is_admin
    props["signals"] = lambda: signals_card(bot, base_url=base_url, admin=admin)
    # Settings history: the last changes of this bot's settings (the card pages on by the API).
    props["history"] = lambda: bot_settings_history(viewer=viewer, bot=bot).as_json()
    props["secret"] = secret
    props.update(bot_live_props(bot))
    return page(request, "bots/show", props)


def _not_booked_message(exc: OrderNotBooked) -> str:
    tail = f" Incident #{exc.incident_id} records it." if exc.incident_id else ""
    return f"{exc.message} (client order id {exc.client_order_id}).{tail}"


def _position_error_key(position_id: int) -> str:
    # A close's error belongs on that position's card, not under the Open form.
    return f"position_{position_id}"


@login_required
@require_POST
def order_open_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    url = f"/bots/{bot.pk}"
    data = form_data(request)
    try:
        key, side, size_usd = (field(data, k) for k in ("idempotency_key", "side", "size_usd"))
    except InputError as exc:  # not text: next to the amount, or above the form
        error_key = "size_usd" if exc.field == "size_usd" else "order"
        return back_with_errors(request, url, {error_key: refusal(exc)})
    try:
        result = order_open(
            bot_id=bot.pk,
            side=side,
            size_usd=size_usd,
            actor=current_user(request),
            idempotency_key=parse_person_idempotency_key(key),
            exits=parse_changes(  # exits (issue 12): the form's optional TP / SL
                take_profit=data.get("take_profit"), stop_loss=data.get("stop_loss")
            ),
        )
    except InvalidExit as exc:
        return back_with_errors(request, url, {exc.field.split(".")[0]: exc.message})
    except InvalidOrderInput as exc:
        error_key = "size_usd" if exc.field == "size_usd" else "order"
        # The grammar names the API field; the form calls it the amount (as the quote does).
        return back_with_errors(request, url, {error_key: amount_in_words(exc).message})
    except OrderRefused as exc:
        return back_with_errors(request, url, {"order": exc.message})
    except InputError as exc:  # an exit's amount off the grammar ("take_profit.pct")
        return back_with_errors(request, url, {exc.field.split(".")[0]: exc.message})
    except OrderNotBooked as exc:
        return back_with_errors(request, url, {"order": _not_booked_message(exc)})
    except OperationalError:
        # The pipeline turns every failure after the venue call into OrderNotBooked, so a
        # database error reaching here happened before it: nothing was sent.
        logger.warning("open on bot #%s: database busy before the venue call", bot.pk)
        return back_with_errors(request, url, {"order": DATABASE_BUSY_MESSAGE})
    # The outcome travels in the response (cookie-stored flash), never only in the session.
    position = result.position
    order = result.order
    again = "Already submitted: " if result.already_settled else ""
    if position.status == "open" and position.qty > 0:
        # Its size by the one rule every screen uses, the quantity in the base asset, the price
        # at the tick (egis.portfolio.fill_words).
        steps = symbol_steps(bot)
        messages.success(request, opened_text(position, order, steps, again=result.already_settled))
    elif position.status == "open":
        messages.warning(
            request,
            f"{again}Order {order.client_order_id} is {order.status}: position #{position.pk} "
            "waits for its fill.",
        )
    else:
        messages.warning(
            request,
            f"{again}Nothing filled: position #{position.pk} was {position.status} "
            f"(order {order.client_order_id}).",
        )
    return see_other(url)


@login_required
@require_POST
def order_close_view(request: HttpRequest, bot_id: int, position_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    url = f"/bots/{bot.pk}"
    if position_of_bot(bot, position_id) is None:
        raise Http404("no such position")
    error_key = _position_error_key(position_id)
    try:
        result = order_close(bot_id=bot.pk, position_id=position_id, actor=current_user(request))
    except OrderRefused as exc:
        return back_with_errors(request, url, {error_key: exc.message})
    except OrderNotBooked as exc:
        return back_with_errors(request, url, {error_key: _not_booked_message(exc)})
    except OperationalError:
        logger.warning("close on bot #%s: database busy before the venue call", bot.pk)
        return back_with_errors(request, url, {error_key: DATABASE_BUSY_MESSAGE})
    position = result.position
    order = result.order
    steps = symbol_steps(bot)
    if position.status == "closed":
        net = shown_net(position.realized_pnl_usd - position.fees_usd)
        messages.success(request, closed_text(position, order, net, steps))
    else:
        messages.warning(request, partly_closed_text(position, order, steps))
    return see_other(url)


@login_required
@require_POST
def paper_sync_view(request: HttpRequest, bot_id: int) -> JsonResponse:
    bot = visible_bot(request, bot_id)
    if bot.venue != Venue.PAPER:
        return JsonResponse({"error": "Only paper bots have a paper state to sync."}, status=400)
    try:
        body = load_json(request.body) if request.body else {}
    except InputError:
        return JsonResponse({"error": "The request was not valid JSON."}, status=400)
    confirm = isinstance(body, dict) and body.get("confirm") is True
    try:
        return JsonResponse(run_paper_sync(bot_id=bot.pk, confirm=confirm))
    except Exception:
        logger.exception("paper sync failed for bot #%s", bot.pk)
        return JsonResponse(
            {"error": "The paper sync failed; nothing was applied. The server log has details."},
            status=500,
        )


@login_required
@require_POST
def bot_delete_view(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = visible_bot(request, bot_id)
    try:
        bot_delete(bot=bot, actor=current_user(request))
    except BotInputError as exc:
        messages.error(request, f"Not deleted: {exc}.")
        return see_other(f"/bots/{bot.pk}")
    messages.success(request, f"Deleted {bot.name}. Its history stays in the ledger.")
    return see_other("/")


@login_required
@require_POST
def position_archive_view(request: HttpRequest, bot_id: int, position_id: int) -> HttpResponse:
    user = current_user(request)
    bot = visible_bot(request, bot_id)
    position = position_of_bot(bot, position_id)
    if position is None:
        raise Http404("no such position")
    if not user.is_admin:
        raise PermissionDenied("Only admins can archive positions.")
    try:
        position_archive(position=position, actor=user)
    except BotInputError as exc:
        messages.error(request, sentence("Not archived", exc))
    else:
        messages.success(request, f"Archived position #{position.pk}; nothing was erased.")
    return see_other(f"/bots/{bot.pk}")


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
