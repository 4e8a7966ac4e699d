"""Who may see what. A user sees their own rows; an admin sees all. Anything else is a 404
(never a 403), so a user cannot even learn that another user's bot or order exists."""

from __future__ import annotations

from egis.accounts.models import User
from egis.api.errors import forbidden, not_found
from egis.bots.models import Bot
from egis.bots.selectors import bot_for_user
from egis.ledger.models import Order
from egis.ledger.selectors import order_by_client_order_id


def bot_for(user: User, bot_id: int) -> Bot:
    """The bot if this user may see it, else 404."""
    bot = bot_for_user(user, bot_id)
    if bot is None:
        raise not_found(f"bot #{bot_id}")
    return bot


def order_for(user: User, client_order_id: str) -> Order:
    order = order_by_client_order_id(client_order_id, owner=None if user.is_admin else user)
    if order is None:
        raise not_found("order")
    return order


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise forbidden("admin only")
