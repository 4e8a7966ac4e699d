from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from egis.accounts.models import User
from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.errors import UserFacingError
from egis.core.money import DecimalInputError, parse_decimal
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position, PositionStatus
from egis.venues.models import ExchangeAccount, SymbolFilter


class BotInputError(UserFacingError):
    pass


def bot_create(
    *,
    owner: User,
    name: str,
    venue: str,
    symbol: str,
    budget_usd: object,
    leverage: int = 1,
    exchange_account: ExchangeAccount | None = None,
) -> Bot:
    name = name.strip()
    if not name:
        raise BotInputError("a bot name is required")
    if venue not in Venue.values:
        raise BotInputError(f"unknown venue {venue!r}: use paper or binance_futures")
    symbol = symbol.strip().upper()
    if not symbol:
        raise BotInputError("a symbol is required")
    try:
        budget: Decimal = parse_decimal(budget_usd, field="budget", max_places=2)
    except DecimalInputError as exc:
        raise BotInputError(str(exc)) from exc
    if not 1 <= leverage <= 125:
        raise BotInputError("leverage must be between 1 and 125")
    if venue == Venue.PAPER:
        if exchange_account is not None:
            raise BotInputError("a paper bot is its own paper account: do not name an account")
        if not SymbolFilter.objects.filter(venue_key="paper", symbol=symbol).exists():
            known = ", ".join(
                SymbolFilter.objects.filter(venue_key="paper").values_list("symbol", flat=True)
            )
            raise BotInputError(f"the paper venue does not list {symbol}; known: {known}")
    else:
        if exchange_account is None:
            raise BotInputError("a Binance bot needs an exchange account (--account)")
        if exchange_account.owner_id != owner.pk:
            raise BotInputError("the exchange account belongs to another user")
        if exchange_account.venue != venue:
            raise BotInputError("the exchange account is for another venue")
    return Bot.objects.create(
        owner=owner,
        name=name,
        venue=venue,
        symbol=symbol,
        initial_budget_usd=budget,
        leverage=leverage,
        exchange_account=exchange_account,
    )


def bot_delete(*, bot: Bot) -> Bot:
    """Soft-delete: history stays. Refused while anything is open or in flight."""
    with transaction.atomic():
        locked = Bot.objects.select_for_update(no_key=True).get(pk=bot.pk)
        if Position.objects.filter(bot=locked, status=PositionStatus.OPEN).exists():
            raise BotInputError("close the bot's open positions before deleting it")
        if Order.objects.filter(bot=locked, status__in=IN_FLIGHT_ORDER_STATUSES).exists():
            raise BotInputError("the bot has orders in flight: wait for them to settle")
        locked.deleted_at = timezone.now()
        locked.is_active = False
        locked.save(update_fields=["deleted_at", "is_active"])
        return locked


def bot_update(
    *,
    bot: Bot,
    name: str,
    budget_usd: object,
    leverage: int,
    is_active: bool,
) -> Bot:
    """Edit what may change after creation; venue, account and symbol stay (history names them)."""
    name = name.strip()
    if not name:
        raise BotInputError("a bot name is required")
    try:
        new_budget: Decimal = parse_decimal(
            budget_usd, field="budget", max_places=2, allow_zero=True
        )
    except DecimalInputError as exc:
        raise BotInputError(str(exc)) from exc
    if not 1 <= leverage <= 125:
        raise BotInputError("leverage must be between 1 and 125")
    with transaction.atomic():
        locked = Bot.objects.select_for_update(no_key=True).get(pk=bot.pk, deleted_at__isnull=True)
        locked.name = name[:80]
        locked.initial_budget_usd = new_budget
        if leverage != locked.leverage:
            locked.leverage = leverage
            # The venue learns the new leverage before the next order.
            locked.leverage_applied = False
        locked.is_active = is_active
        locked.save(
            update_fields=[
                "name",
                "initial_budget_usd",
                "leverage",
                "leverage_applied",
                "is_active",
            ]
        )
        return locked


def position_archive(*, position: Position, actor: User) -> Position:
    """Hide a non-open position from the lists (admins only). Nothing is erased, ever."""
    from egis.ledger.events import event_record, position_snapshot

    if not actor.is_admin:
        raise BotInputError("only an admin can archive positions")
    with transaction.atomic():
        lock_bot(position.bot_id)  # the bot, then the position: the order of egis.bots.locks
        locked = Position.objects.select_for_update().get(pk=position.pk)
        if locked.status == PositionStatus.OPEN:
            raise BotInputError(f"position #{locked.pk} is open: close it before archiving it")
        if locked.archived_at is not None:
            return locked
        before = position_snapshot(locked)
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
        event_record(
            position=locked,
            bot_id=locked.bot_id,
            action="archived",
            before=before,
            after=position_snapshot(locked),
            actor=actor,
            reason="hidden from the lists by an admin; the row stays",
        )
        return locked
