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
from django.views.decorators.http import require_GET, require_POST

from egis.bots.models import Bot
from egis.bots.selectors import bot_detail, shown_net
from egis.bots.services import BotInputError, bot_delete, position_archive
from egis.bots.settings_history import bot_settings_history
from egis.core.choices import Venue
from egis.core.errors import DATABASE_BUSY_MESSAGE
from egis.core.inputs import InputError, load_json
from egis.exits.rules import InvalidExit, parse_changes
from egis.ledger.errors import InvalidOrderInput, OrderNotBooked, OrderRefused
from egis.ledger.order_inputs import parse_person_idempotency_key
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.quote import amount_in_words
from egis.ledger.selectors import position_of_bot
from egis.portfolio.activity import symbol_steps
from egis.portfolio.fill_words import closed_text, opened_text, partly_closed_text
from egis.signals.selectors import last_signal_acted, signals_card
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
