"""Executing signals (in the worker): one at a time per bot, in order of receipt.

The oldest unfinished signal of a bot is claimed by compare-and-set (queued -> executing); while
it runs, nothing later of that bot is touched. Each order it causes goes through the one
pipeline (egis.ledger.pipeline) with the idempotency key `sig<signal id>-open` or
`sig<signal id>-close-<position id>`, unique per bot in `orders`: a worker killed mid-signal
resumes it (at start-up, or once its claim is older than the lease) and finds the orders already
placed instead of placing them again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egis.bots.locks import LIVE_BOT
from egis.bots.models import Bot
from egis.core.money import shown_size, usd_display
from egis.core.row_updates import RowUpdate
from egis.core.rows import RowQuery
from egis.execution.recovery import recover_order
from egis.exits.asked import exits_attach_asked
from egis.exits.rules import InvalidExit
from egis.ledger import budget
from egis.ledger.errors import (
    NotEnoughBudget,
    OrderNotBooked,
    OrderRefused,
)
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Order,
    Position,
    PositionStatus,
)
from egis.ledger.pipeline import order_open
from egis.ledger.settle import OrderResult
from egis.signals.claims import TakenOver, claim_next, finish, renew
from egis.signals.drift import DRIFT_REASON_PREFIX, closed_by_own_exit, signal_drift
from egis.signals.keepalive import claim_kept_alive
from egis.signals.models import REASON_MAX, Signal, SignalHook, SignalStatus
from egis.signals.paper_turn import paper_turn, takes_paper_turn
from egis.signals.payload import SignalAction, action_from_json
from egis.signals.reason_words import reason_code
from egis.signals.signal_orders import close_each, signal_key, signal_orders
from egis.venues.base import VenueAdapter
from egis.venues.registry import venue_for

logger = logging.getLogger("egis.signals")


class _Rejected(Exception):
    pass


# The worker's per-signal reads, compiled once (egis.core.rows): as ORM queries they cost more
# than the order each signal places (docs/BENCHMARKS.md, benchmark 6). The claim's own read and
# writes are in egis.signals.claims.
# A drift found by a signal, kept on it while it runs (its reason until it finishes).
_DRIFT_NOTED = RowUpdate(Signal, ["reason"], "id = %s AND claimed_by = %s")
_OPEN_POSITIONS = RowQuery(Position, "bot_id = %s AND status = %s", order_by="id")


# The bot's live hook, and the hook of the bot revoked (not rotated) last: a revoke stops every
# signal queued before it, whichever hook it came through (a new hook created since does not
# bring them back); after a rotation the live hook's switch decides (a leaked secret's signals,
# the owner rotating then switching off). A rotated hook is never live, and hooks are revoked in
# id order, so the newest two not rotated are all that can decide.
_HOOKS_NOT_ROTATED = RowQuery(
    SignalHook,
    "bot_id = %s AND rotated_at IS NULL",
    fields=["enabled", "revoked_at"],
    order_by="id DESC",
    limit=2,
)


def _hooks_deciding(bot_id: int, received_at: datetime) -> list[tuple[bool, datetime | None]]:
    """The live hook and any hook revoked since the signal arrived, as (enabled, revoked_at)."""
    return [
        (hook.enabled, hook.revoked_at)
        for hook in _HOOKS_NOT_ROTATED.all(bot_id)
        if hook.revoked_at is None or hook.revoked_at >= received_at
    ]


def _state(positions: list[Position]) -> str:
    sides = {p.side for p in positions}
    return sides.pop() if len(sides) == 1 else "flat" if not sides else "mixed"


def _check_fresh(action: SignalAction, signal: Signal, now: datetime) -> None:
    sent = action.timestamp or signal.received_at
    age = (now - sent).total_seconds()
    if age > action.max_lag_s:
        raise _Rejected(f"stale: sent {int(age)} s ago, max_lag_s is {action.max_lag_s}")
    if -age > action.max_lag_s:
        raise _Rejected(f"timestamp is {int(-age)} s in the future")


def _open_size(bot: Bot, action: SignalAction) -> Decimal:
    if action.size_usd is not None:
        return action.size_usd
    assert action.size_pct is not None
    amount = budget.amount_for_percent(bot, action.size_pct)
    if amount <= 0:
        raise NotEnoughBudget(available=budget.available(bot), requested=amount)
    return amount


def _plan(action: SignalAction, bot: Bot, positions: list[Position]) -> tuple[list[Position], str]:
    """The positions to close (in order), and the side to open after them ("" for none)."""
    if action.kind == "open":
        clash = [p for p in positions if p.side != action.side]
        if clash:
            raise _Rejected(
                f"netting conflict: a {clash[0].side} position (#{clash[0].pk}) is open; open "
                f"{action.side} is refused, never flipped (send a target to reverse)"
            )
        return [], action.side
    if action.kind == "close":
        return [p for p in positions if not action.side or p.side == action.side], ""
    closes = [p for p in positions if p.side != action.target]
    holds_target = any(p.side == action.target for p in positions)
    return closes, action.target if action.target != "flat" and not holds_target else ""


def _settle_in_flight(orders: list[Order], venue: VenueAdapter | None) -> Order | None:
    """A resumed signal first learns the fate of its orders that a dead worker left in flight
    (looked up at the venue by client order id and settled); returns one still undecided."""
    for order in orders:
        if order.status not in IN_FLIGHT_ORDER_STATUSES:
            continue
        recover_order(order, now=timezone.now(), venue_factory=lambda bot: venue or venue_for(bot))
        order.refresh_from_db()
        if order.status in IN_FLIGHT_ORDER_STATUSES:
            return order
    return None


def _exits_left_unset(done: list[Order], venue: VenueAdapter | None) -> None:
    """A dead worker's open may have filled before the exits it asked for were set: they were
    written ahead with the order, and are set now (egis.exits.asked: only the kinds no exit row
    was ever written for; an order still in flight waits for recovery)."""
    for order in done:
        if order.intent == "open" and order.exits_asked is not None:
            exits_attach_asked(order, actor=None, venue=venue)


def _describe(order: Order) -> str:
    return f"{order.intent} {order.client_order_id} ({order.status})"


def _execute(signal: Signal, venue: VenueAdapter | None, *, resumed: bool) -> Signal:
    action = action_from_json(signal.action)
    bot = LIVE_BOT.one(signal.bot_id)
    if bot is None:
        return finish(signal, SignalStatus.REJECTED, "bot deleted")
    # What a dead worker already placed for this signal. A signal claimed from `queued` has
    # placed nothing: its orders are only written after its claim committed, and nothing sets a
    # signal back to queued. Each step is placed once; the pipeline's idempotency key check
    # under the bot lock backs this up.
    done = signal_orders(signal) if resumed else []
    placed = {order.idempotency_key for order in done}
    stuck = _settle_in_flight(done, venue)
    if stuck is not None:
        return finish(
            signal,
            SignalStatus.FAILED,
            f"order {_describe(stuck)} is still in flight: recovery settles it; the rest of "
            "the signal was not executed",
        )
    if done:
        _exits_left_unset(done, venue)
    positions = _OPEN_POSITIONS.all(bot.pk, PositionStatus.OPEN)
    results: list[OrderResult] = []
    drift = ""
    try:
        if not done:  # a resumed signal that already placed orders finishes what it began
            hooks = _hooks_deciding(bot.pk, signal.received_at)
            live = [enabled for enabled, revoked_at in hooks if revoked_at is None]
            if not live or len(hooks) > 1:
                raise _Rejected("the bot's webhook was revoked")
            if not live[0]:
                raise _Rejected("signals are switched off for this bot")
            if not bot.is_active:
                raise _Rejected(f"bot #{bot.pk} is inactive")
            _check_fresh(action, signal, timezone.now())
            actual = _state(positions)
            if (
                action.kind == "target"
                and action.prev
                and action.prev != actual
                and not closed_by_own_exit(bot.pk, prev=action.prev, actual=actual)
            ):
                # A missed alert: loud, and opens halted. Its closes still run (they only take
                # risk off: a `target flat` from a sender out of step still gets the bot out).
                with transaction.atomic():
                    drift = signal_drift(signal, bot, action, actual)
                    # Kept on the signal at once: resumed after a kill, it still says drift.
                    _DRIFT_NOTED.run([drift[:REASON_MAX]], signal.pk, signal.claimed_by)
        elif signal.reason.startswith(DRIFT_REASON_PREFIX):  # resumed: the first run found it
            drift = signal.reason
        closes, open_side = _plan(action, bot, positions)
        # A halt stops opens, never closes: a target's closes still run (they only take risk
        # off), then its open is refused, and the signal says it traded in part. A resumed
        # signal is refused its open too if a halt came since (a drift it found itself).
        halted = drift or f"bot halted for new opens: {bot.halted_reason}"
        refuse_open = bool(drift) or bot.is_halted
        if open_side and refuse_open and not done and not closes:
            raise _Rejected(halted)
        if not closes and not open_side:
            if drift:
                raise _Rejected(drift)
            if done:
                return finish(signal, SignalStatus.EXECUTED, _summary(signal))
            if action.kind == "close":
                raise _Rejected(
                    f"nothing open to close{f' on the {action.side} side' if action.side else ''}"
                )
            return finish(signal, SignalStatus.EXECUTED, f"already {action.target}: nothing to do")
        busy = close_each(signal, bot, closes, placed, results, venue)
        if drift:
            raise _Rejected(f"{drift}; {busy}" if busy else drift)
        if busy and (open_side or not results):
            # A close already in flight (its outcome unknown until recovery): never open the
            # other side next to it; a close signal with nothing else to close says so.
            raise _Rejected(f"{busy}; the open was not sent" if open_side else busy)
        if open_side:
            key = signal_key(signal.pk, "open")
            if refuse_open and key not in placed:
                raise _Rejected(halted)
            if key not in placed:
                if results:
                    renew(signal)
                if action.size_pct is not None:
                    bot.refresh_from_db()  # sized on the budget as it is after the closes
                results.append(
                    order_open(
                        bot_id=bot.pk,
                        side=open_side,
                        size_usd=_open_size(bot, action),
                        venue=venue,
                        idempotency_key=key,
                        exits=action.exit_changes(),
                        loaded=bot,
                    )
                )
    except TakenOver:
        logger.warning(
            "signal #%s: its claim was taken over; its new executor finishes it", signal.pk
        )
        return signal
    except _Rejected as exc:
        return _refused(signal, str(exc), _known(results, done), reason_code(str(exc)))
    except OrderRefused as exc:
        code = reason_code(exc.message, refused_with=exc)
        return _refused(signal, exc.message, _known(results, done), code)
    except InvalidExit as exc:  # its exits do not fit the price at execution: nothing was sent
        code = reason_code(exc.message, refused_with=exc)
        return _refused(signal, exc.message, _known(results, done), code)
    except OrderNotBooked as exc:
        # The message names the order (every OrderNotBooked does).
        after = _after(signal, exc.message, _known(results, done), failed=exc.client_order_id)
        return finish(signal, SignalStatus.FAILED, after, code=exc.code)
    known = _known(results, done)
    orders = signal_orders(signal) if known is None else known
    failed = [o for o in orders if o.status in ("rejected", "failed")]
    if failed:
        return finish(signal, SignalStatus.FAILED, f"order {_describe(failed[0])}")
    summary = _summary(signal, orders)
    return finish(signal, SignalStatus.EXECUTED, f"{summary}; {busy}" if busy else summary)


def _known(results: list[OrderResult], done: list[Order]) -> list[Order] | None:
    """The signal's orders without a read: a fresh signal's are the pipeline's answers so far
    (each as settled). None when a dead worker placed some (`done`): they must be read."""
    return None if done else [r.order for r in results]


def _refused(signal: Signal, message: str, orders: list[Order] | None, code: str) -> Signal:
    """A refusal before anything traded is `rejected`. After some of the signal's orders filled
    (a target's closes, then its open refused by a risk limit), the signal did trade: it is
    `executed`, and its reason says "partly" and what was refused, so no one reads "rejected"
    and believes nothing happened."""
    orders = signal_orders(signal) if orders is None else orders
    if any(order.executed_qty > 0 for order in orders):
        partly = f"partly: {_after(signal, message, orders)}"
        return finish(signal, SignalStatus.EXECUTED, partly, code=code)
    return finish(signal, SignalStatus.REJECTED, _after(signal, message, orders), code=code)


def _summary(signal: Signal, orders: list[Order] | None = None, *, leave_out: str = "") -> str:
    parts = []
    for order in signal_orders(signal) if orders is None else orders:
        if order.client_order_id == leave_out:
            continue
        if order.intent == "open":
            side = "long" if order.side == "buy" else "short"
            asked = order.requested_usd or Decimal(0)
            size = usd_display(asked)
            if order.executed_qty > 0 and order.cum_quote_usd != asked:
                # Executed size replaces requested size: say what was booked, and what was asked.
                # In the cents it blocks, as the position card shows it (money.shown_size).
                size = f"{usd_display(shown_size(order.cum_quote_usd))} of {size} asked"
            what = f"open {side} {size} (position #{order.position_id})"
        else:
            what = f"close position #{order.position_id}"
        parts.append(f"{what}: {order.status}")
    return "; ".join(parts) or "nothing to do"


def _after(signal: Signal, message: str, orders: list[Order] | None, *, failed: str = "") -> str:
    """A refusal after some orders went through says which ones did."""
    done = _summary(signal, orders, leave_out=failed)
    return f"{done}; then {message}" if done != "nothing to do" else message


def _drain(
    bot_id: int,
    venue: VenueAdapter | None,
    lease: float,
    out: list[Signal],
    claimed_before: datetime | None,
) -> None:
    """Claim and execute the bot's signals in order of receipt until none is runnable. A paper
    bot's signal is claimed and executed in the process's paper turn (taken before the claim,
    so no claim ages while its executor waits for the turn)."""
    on_paper = takes_paper_turn(bot_id)
    while True:
        with paper_turn(on_paper):
            reclaim_before = timezone.now() - timedelta(seconds=lease)
            claimed = claim_next(bot_id, reclaim_before=reclaim_before, started_at=claimed_before)
            if claimed is None:
                return
            signal, resumed = claimed
            try:
                with claim_kept_alive(signal):
                    out.append(_execute(signal, venue, resumed=resumed))
            except Exception:
                # A busy database or a bug: the claim stays and is resumed after the lease.
                logger.exception("signal #%s could not be executed now", signal.pk)
                return


def signal_process(
    *,
    bot_id: int | None = None,
    venue: VenueAdapter | None = None,
    reclaim_after_s: float | None = None,
    claimed_before: datetime | None = None,
) -> list[Signal]:
    """Execute every runnable signal (of one bot, or all), oldest first per bot. Signals whose
    claim is older than `reclaim_after_s` (default: the lease), or was taken before
    `claimed_before` (a fixed instant: the worker's start, egis.signals.tasks) by a process
    known to have ended (egis.ops.worker_start.worker_gone), are resumed."""
    lease = settings.EGIS_SIGNAL_LEASE_S if reclaim_after_s is None else reclaim_after_s
    if bot_id is not None:
        bot_ids = [bot_id]  # the claim below finds whether it has anything to run
    else:
        pending = Signal.objects.filter(status__in=[SignalStatus.QUEUED, SignalStatus.EXECUTING])
        bot_ids = sorted(set(pending.values_list("bot_id", flat=True)))
    out: list[Signal] = []
    for bid in bot_ids:
        _drain(bid, venue, lease, out, claimed_before)
    return out
