from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from egis.accounts.models import User
from egis.audit.services import active_word, audit_record
from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.errors import UserFacingError
from egis.core.inputs import (
    SYMBOL_MAX,
    InputError,
    parse_leverage,
    parse_name,
    parse_text,
    parse_usd,
)
from egis.core.money import usd_display, usd_str
from egis.ledger.budget import ensure_covers_held
from egis.ledger.models import IN_FLIGHT_ORDER_STATUSES, Order, Position, PositionStatus
from egis.ledger.risk import RISK_FIELDS, RiskLimits, parse_risk_limits
from egis.venues.models import ExchangeAccount, SymbolFilter


class BotInputError(UserFacingError):
    """A refused bot input; `field` names the form field it belongs to ("form": the whole).
    `also`: the refusals of the form's other fields, found in the same pass, so a form shows
    every field's problem at once (the message is the first one's)."""

    def __init__(
        self, message: str, *, field: str = "form", also: list[BotInputError] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.also = also or []

    def each(self) -> list[BotInputError]:
        return [self, *self.also]


def _grammar_error(exc: InputError) -> BotInputError:
    return BotInputError(exc.message, field=exc.field)


T = TypeVar("T")

# bot_update: a risk limit the caller does not pass stays as it is (None turns it off).
KEEP: object = object()


def bot_create(
    *,
    owner: User,
    name: str,
    venue: str,
    symbol: str,
    budget_usd: object,
    leverage: object = 1,
    exchange_account: ExchangeAccount | None = None,
    max_open_positions: object = None,
    max_order_usd: object = None,
    cooldown_s: object = None,
    daily_loss_limit_usd: object = None,
    actor: User | None = None,
    actor_label: str | None = None,
) -> Bot:
    """A new bot. The risk limits (egis.ledger.risk) are optional: blank or None is off. The
    audit trail records who created it and with what (`actor`, or `actor_label` for the CLI;
    neither: "system")."""
    # Every field is read before anything is refused, so a form shows all its problems at once.
    problems: list[BotInputError] = []

    def read(parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InputError as exc:
            problems.append(_grammar_error(exc))
            return None

    clean_name = read(lambda: parse_name(name, field="name"))
    clean_symbol = read(lambda: parse_text(symbol, field="symbol", max_length=SYMBOL_MAX).upper())
    budget = read(lambda: parse_usd(budget_usd, field="budget"))
    clean_leverage = read(lambda: parse_leverage(leverage))
    typed = {
        "max_open_positions": max_open_positions,
        "max_order_usd": max_order_usd,
        "cooldown_s": cooldown_s,
        "daily_loss_limit_usd": daily_loss_limit_usd,
    }
    for limit, raw in typed.items():  # each limit's own problem, not only the first one's
        read(partial(parse_risk_limits, **{limit: raw}))
    limits = None if problems else read(lambda: parse_risk_limits(**typed))
    if venue not in Venue.values:
        problems.append(
            BotInputError(
                f"unknown venue {str(venue)[:20]!r}: use paper or binance_futures", field="venue"
            )
        )
    elif (
        venue == Venue.PAPER
        and clean_symbol is not None
        and not SymbolFilter.objects.filter(venue_key="paper", symbol=clean_symbol).exists()
    ):
        known = ", ".join(
            SymbolFilter.objects.filter(venue_key="paper").values_list("symbol", flat=True)
        )
        problems.append(
            BotInputError(
                f"the paper venue does not list {clean_symbol}; known: {known}", field="symbol"
            )
        )
    if problems:
        first, *rest = problems
        raise BotInputError(str(first), field=first.field, also=rest)
    assert clean_name is not None and clean_symbol is not None and budget is not None
    assert clean_leverage is not None and limits is not None
    name, symbol = clean_name, clean_symbol
    if venue == Venue.PAPER:
        if exchange_account is not None:
            raise BotInputError(
                "a paper bot is its own paper account: do not name an account",
                field="exchange_account",
            )
    else:
        if exchange_account is None:
            raise BotInputError(
                "a Binance bot needs an exchange account (--account)", field="exchange_account"
            )
        if exchange_account.owner_id != owner.pk:
            raise BotInputError(
                "the exchange account belongs to another user", field="exchange_account"
            )
        if exchange_account.venue != venue:
            raise BotInputError(
                "the exchange account is for another venue", field="exchange_account"
            )
    with transaction.atomic():
        if exchange_account is not None:
            _lock_account(exchange_account.pk)
            _check_shared_leverage(
                account_id=exchange_account.pk, symbol=symbol, leverage=clean_leverage, bot_id=None
            )
        bot = Bot.objects.create(
            owner=owner,
            name=name,
            venue=venue,
            symbol=symbol,
            initial_budget_usd=budget,
            leverage=clean_leverage,
            exchange_account=exchange_account,
            **limits.as_values(),
        )
        audit_record(
            actor=actor,
            actor_label=actor_label,
            target=bot,
            field="created",
            before="",
            after=_created_words(bot),
        )
        return bot


def _created_words(bot: Bot) -> str:
    """ "Paper ETHUSDT for bob: budget $1,000.00, leverage 1x" (the audit's value is text, shown
    as it is: money as every page shows it, egis.core.money.usd_display)."""
    venue = "Paper" if bot.venue == Venue.PAPER else f"Binance (account #{bot.exchange_account_id})"
    return (
        f"{venue} {bot.symbol} for {bot.owner.username}: budget "
        f"{usd_display(bot.initial_budget_usd)}, leverage {bot.leverage}x"
    )


def _lock_account(account_id: int) -> None:
    # Two bots created or edited at once on one account must not both pass the leverage check.
    list(ExchangeAccount.objects.select_for_update().filter(pk=account_id).values_list("pk"))


def _check_shared_leverage(
    *, account_id: int, symbol: str, leverage: int, bot_id: int | None
) -> None:
    """Binance keeps one leverage per account and symbol, not per bot: every bot trading that
    symbol on that account must use the same one, or each would reset it for the others."""
    others = Bot.objects.filter(
        exchange_account_id=account_id, symbol=symbol, deleted_at__isnull=True
    ).exclude(leverage=leverage)
    if bot_id is not None:
        others = others.exclude(pk=bot_id)
    other = others.order_by("id").first()
    if other is not None:
        raise BotInputError(
            f"Leverage {leverage}x is refused: bot #{other.pk} '{other.name}' trades {symbol} on "
            f"the same exchange account at {other.leverage}x, and Binance sets one leverage per "
            f"account and symbol. Use {other.leverage}x, or another exchange account.",
            field="leverage",
        )


def bot_delete(*, bot: Bot, actor: User | None = None, actor_label: str | None = None) -> Bot:
    """Soft-delete: history stays. Refused while anything is open or in flight. The audit
    trail records who deleted it."""
    with transaction.atomic():
        locked = Bot.objects.select_for_update(no_key=True).get(pk=bot.pk)
        if Position.objects.filter(bot=locked, status=PositionStatus.OPEN).exists():
            raise BotInputError("close the bot's open positions before deleting it")
        if Order.objects.filter(bot=locked, status__in=IN_FLIGHT_ORDER_STATUSES).exists():
            raise BotInputError("the bot has orders in flight: wait for them to settle")
        was_active = active_word(locked.is_active)
        locked.deleted_at = timezone.now()
        locked.is_active = False
        locked.save(update_fields=["deleted_at", "is_active"])
        audit_record(
            actor=actor,
            actor_label=actor_label,
            target=locked,
            field="deleted",
            before=was_active,
            after="deleted",
        )
        return locked


def bot_update(
    *,
    bot: Bot,
    name: str,
    budget_usd: object,
    leverage: int,
    is_active: bool,
    actor: User | None,
    actor_label: str | None = None,
    max_open_positions: object = KEEP,
    max_order_usd: object = KEEP,
    cooldown_s: object = KEEP,
    daily_loss_limit_usd: object = KEEP,
) -> Bot:
    """Edit what may change after creation; venue, account and symbol stay (history names them).

    A budget below what the open positions hold is refused (BudgetBelowHeld): the check runs with
    the bot row locked, the lock every open takes first, so no open can add a hold in between.
    Every changed field is written to the audit trail in the same transaction. A risk limit left
    as KEEP stays; None or "" turns it off.
    """
    sent_limits = {
        name: value
        for name, value in (
            ("max_open_positions", max_open_positions),
            ("max_order_usd", max_order_usd),
            ("cooldown_s", cooldown_s),
            ("daily_loss_limit_usd", daily_loss_limit_usd),
        )
        if value is not KEEP
    }
    try:
        name = parse_name(name, field="name")
        new_budget: Decimal = parse_usd(budget_usd, field="budget", allow_zero=True)
        leverage = parse_leverage(leverage)
        new_limits = parse_risk_limits(**sent_limits).as_values()
    except InputError as exc:
        raise _grammar_error(exc) from exc
    with transaction.atomic():
        # The bot first, then its account: the lock order of every path (egis.bots.locks).
        locked = Bot.objects.select_for_update(no_key=True).get(pk=bot.pk, deleted_at__isnull=True)
        if locked.exchange_account_id is not None:
            _lock_account(locked.exchange_account_id)
        if leverage != locked.leverage and locked.exchange_account_id is not None:
            _check_shared_leverage(
                account_id=locked.exchange_account_id,
                symbol=locked.symbol,
                leverage=leverage,
                bot_id=locked.pk,
            )
        if new_budget != locked.initial_budget_usd:
            ensure_covers_held(locked, new_budget)
        before = {
            "name": locked.name,
            "initial_budget_usd": usd_str(locked.initial_budget_usd) or "",
            "leverage": str(locked.leverage),
            "is_active": active_word(locked.is_active),
            **RiskLimits.of(locked).audit_words(),
        }
        locked.name = name
        locked.initial_budget_usd = new_budget
        if leverage != locked.leverage:
            locked.leverage = leverage
            # The venue learns the new leverage before the next order.
            locked.leverage_applied = False
        locked.is_active = is_active
        for limit in sent_limits:
            setattr(locked, limit, new_limits[limit])
        locked.save(
            update_fields=[
                "name",
                "initial_budget_usd",
                "leverage",
                "leverage_applied",
                "is_active",
                *RISK_FIELDS,
            ]
        )
        after = {
            "name": locked.name,
            "initial_budget_usd": usd_str(locked.initial_budget_usd) or "",
            "leverage": str(locked.leverage),
            "is_active": active_word(locked.is_active),
            **RiskLimits.of(locked).audit_words(),
        }
        for field_name, was in before.items():
            if after[field_name] != was:
                audit_record(
                    actor=actor,
                    actor_label=actor_label,
                    target=locked,
                    field=field_name,
                    before=was,
                    after=after[field_name],
                )
        return locked


def position_archive(*, position: Position, actor: User) -> Position:
    """Hide a non-open position from the lists (admins only). Nothing is erased, ever."""
    from egis.ledger.events import event_record, position_snapshot
    from egis.portfolio.totals import totals_apply, totals_track

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
        tracked = totals_track(locked)  # per-bot closed totals (egis.portfolio.totals)
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at"])
        totals_apply(tracked, locked)
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
