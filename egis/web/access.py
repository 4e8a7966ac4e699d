"""Server-side authorization for every page: ownership answers 404, admin-only answers 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from egis.bots.models import Bot
from egis.bots.selectors import bot_for_user
from egis.web.inertia import current_user

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not current_user(request).is_admin:
            raise PermissionDenied("admins only")
        return view(request, *args, **kwargs)

    return wrapped


def visible_bot(request: HttpRequest, bot_id: int) -> Bot:
    """The bot if this person may see it; otherwise 404, as if it did not exist."""
    bot = bot_for_user(current_user(request), bot_id)
    if bot is None:
        raise Http404("no such bot")
    return bot
