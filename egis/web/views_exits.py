"""The Edit exits sheet of an open position: parse, call the exits service, answer on the row."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from egis.core.errors import DATABASE_BUSY_MESSAGE
from egis.core.inputs import InputError
from egis.exits.events import describe
from egis.exits.rules import EXIT_KINDS, parse_changes
from egis.exits.services import exits_set
from egis.ledger.errors import OrderRefused
from egis.ledger.selectors import position_of_bot
from egis.web.access import visible_bot
from egis.web.inertia import back_with_errors, current_user, form_data, see_other

logger = logging.getLogger("egis.web")


def exits_error_key(position_id: int) -> str:
    return f"exits_{position_id}"


# The Edit exits sheet's fields: a refusal about one of them is filed under it
# ("exits_7.stop_loss"), so the sheet shows it next to that field; anything else (the position
# is closing, the venue refused) is filed under the position ("exits_7").
_SHEET_FIELDS = ("take_profit", "stop_loss", "trailing_stop.activation_price", "trailing_stop")


def exits_error_keys(position_id: int, exc: InputError | OrderRefused) -> dict[str, str]:
    key = exits_error_key(position_id)
    field = getattr(exc, "field", "") or ""
    for name in _SHEET_FIELDS:
        if field == name or field.startswith(f"{name}."):
            return {f"{key}.{name}": exc.message}
    return {key: exc.message}


@login_required
@require_POST
def exits_edit_view(request: HttpRequest, bot_id: int, position_id: int) -> HttpResponse:
    """The exits the position should have: `take_profit` / `stop_loss` as {"price"} or {"pct"}
    (or text "3000" / "1%"), `trailing_stop` as {"callback_pct", "activation_price"}; a kind
    left empty is removed."""
    bot = visible_bot(request, bot_id)
    url = f"/bots/{bot.pk}"
    if position_of_bot(bot, position_id) is None:
        raise Http404("no such position")
    data = form_data(request)
    key = exits_error_key(position_id)
    try:
        given = parse_changes(**{kind: data.get(kind) for kind in EXIT_KINDS})
        live = exits_set(
            bot_id=bot.pk,
            position_id=position_id,
            changes={kind: given.get(kind) for kind in EXIT_KINDS},
            actor=current_user(request),
        )
    except (InputError, OrderRefused) as exc:
        return back_with_errors(request, url, exits_error_keys(position_id, exc))
    except OperationalError:
        logger.warning("exits of position #%s: database busy", position_id)
        return back_with_errors(request, url, {key: DATABASE_BUSY_MESSAGE})
    what = ", ".join(describe(e) for e in live) or "none"
    messages.success(request, f"Exits of position #{position_id} saved: {what}.")
    return see_other(url)
