"""Receiving a signal: write-ahead, exactly once, answered in milliseconds.

Receipt: authenticate, read the body by the input grammar, and commit the signal row before any
answer. The dedupe key (`id:<sender id>`, or `body:<sha256>` without one) is unique per bot in the
database: of two identical posts racing, the insert of one fails and it answers "duplicate". A
body key older than 24 hours is retired (renamed by compare-and-set) so the same body may come
again the next day; an id key never expires.

Execution happens later, in the worker: egis.signals.processing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from egis.bots.models import Bot
from egis.core.inputs import (
    DuplicateField,
    InputError,
    MalformedBody,
    load_json,
    nul_replaced,
)
from egis.core.row_saves import row_insert
from egis.core.rows import RowQuery
from egis.signals import throttle
from egis.signals.hooks import HookRefused, hook_authenticate
from egis.signals.models import REASON_MAX, Signal, SignalHook, SignalStatus
from egis.signals.notices import signal_rejected_notice
from egis.signals.payload import SignalAction, parse_signal, sender_id_of
from egis.signals.reason_words import reason_code

logger = logging.getLogger("egis.signals")

BODY_MAX_BYTES = 16 * 1024
BODY_DEDUPE_WINDOW = timedelta(hours=24)


class SignalBodyTooLarge(Exception):
    pass


class SignalNotJson(Exception):
    """An unsigned body that is not JSON (a typo in a TradingView message): told so, with the
    template's shape, before any hook is looked up (the same answer for every hook id)."""

    message = (
        "The message is not valid JSON: nothing was recorded. Send it in the shape of "
        "`template` (the bot's Signals card shows it with your secret): one object in curly "
        "braces, names and text in double quotes, no comma after the last field."
    )


class SignalDuplicateField(Exception):
    """A body naming a field twice: which one was meant cannot be known (an alert message edited
    by hand, two "action" lines). Told so before any hook is looked up, like SignalNotJson."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = f"The message is refused: {message}. Nothing was recorded."


@dataclass(frozen=True)
class Received:
    signal: Signal
    duplicate: bool


NUL_REFUSAL = "the body holds a NUL character (\\u0000), which no field accepts"


def _stored_body(parsed: Any, raw: bytes) -> dict[str, Any]:
    if isinstance(parsed, dict):
        return {k: v for k, v in parsed.items() if k != "secret"}
    # Only a signed request gets here with a body that is not an object: nothing secret in it.
    return {"text": raw[:2000].decode("utf-8", "replace")}


def _dedupe_key(body: dict[str, Any], sender_id: str) -> str:
    if sender_id:
        if len(sender_id) <= 100:
            return f"id:{sender_id}"
        return f"id:sha256:{hashlib.sha256(sender_id.encode()).hexdigest()}"
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return f"body:{hashlib.sha256(canonical.encode()).hexdigest()}"


def _read(parsed: Any, bot: Bot) -> tuple[SignalAction | None, str]:
    """The action, or why it cannot be executed (malformed, wrong symbol)."""
    try:
        action = parse_signal(parsed)
    except InputError as exc:
        return None, f"malformed: {exc.message}"
    if action.symbol and action.symbol != bot.symbol:
        # Readable, refused: the action is kept, so lists say what it asked ("open long $25").
        return action, f"wrong symbol: {action.symbol} is not this bot's {bot.symbol}"
    return action, ""


def signal_receive(
    *, hook_id: str, body: bytes, signature: str | None = None, address: str = ""
) -> Received:
    """Authenticate and record one signal; the row is committed when this returns.

    Raises SignalBodyTooLarge, throttle.Throttled, SignalNotJson (an unsigned body that is not
    JSON, whatever the hook) or HookRefused (one answer for every kind of authentication
    failure)."""
    if len(body) > BODY_MAX_BYTES:
        raise SignalBodyTooLarge()
    throttle.check(hook_id=hook_id)
    try:
        parsed: Any = load_json(body)
    except DuplicateField as exc:
        raise SignalDuplicateField(exc.message) from None  # signed or not: nothing is clear
    except MalformedBody:
        if signature is None:
            raise SignalNotJson() from None
        parsed = None  # a signed sender's own format: authenticated, then stored as text
    try:
        hook = hook_authenticate(hook_id=hook_id, body=body, parsed=parsed, signature=signature)
    except HookRefused as refused:
        try:
            throttle.record_failure(address=address)
        except throttle.Throttled as throttled:  # past the address's limit: 429, still counted
            throttled.refused = refused
            raise
        raise
    stored, held_nul = nul_replaced(_stored_body(parsed, body))
    try:
        sender_id = sender_id_of(stored)
    except InputError:
        sender_id = ""
    action, refusal = _read(stored if isinstance(parsed, dict) else parsed, hook.bot)
    if held_nul:  # kept without it (PostgreSQL stores none), and not traded
        action, refusal = None, f"malformed: {NUL_REFUSAL}"
    if not hook.enabled:
        refusal = "signals are switched off for this bot"
    received = _insert(hook, stored, action, refusal, _dedupe_key(stored, sender_id), sender_id)
    if not received.duplicate and received.signal.status == SignalStatus.QUEUED:
        _enqueue_unless_behind(received.signal)
    return received


# A duplicate's first signal (TradingView retries: a compiled read, as the rest of the receipt).
_SAME_KEY = RowQuery(Signal, "bot_id = %s AND dedupe_key = %s", order_by="id", limit=1)


def _insert(
    hook: SignalHook,
    stored: dict[str, Any],
    action: SignalAction | None,
    refusal: str,
    dedupe_key: str,
    sender_id: str,
) -> Received:
    now = timezone.now()
    row = Signal(
        bot_id=hook.bot_id,
        hook=hook,
        received_at=now,
        body=stored,
        action=action.as_json() if action else {},
        sender_id=sender_id,
        dedupe_key=dedupe_key,
        status=SignalStatus.REJECTED if refusal else SignalStatus.QUEUED,
        reason=refusal[:REASON_MAX],
        reason_code=reason_code(refusal),
        processed_at=now if refusal else None,
    )
    for _attempt in range(3):
        try:
            _insert_committed(row, notify_rejected=bool(refusal))
            return Received(signal=row, duplicate=False)
        except IntegrityError:
            row.pk = None
            row._state.adding = True
            first = _SAME_KEY.one(hook.bot_id, dedupe_key)
            if first is None:
                continue  # retired meanwhile: try again
            if dedupe_key.startswith("body:") and first.received_at < now - BODY_DEDUPE_WINDOW:
                # Same body a day later is a new signal: retire the old key (compare-and-set,
                # so of two racing senders one retires it and both meet on the constraint).
                Signal.objects.filter(pk=first.pk, dedupe_key=dedupe_key).update(
                    dedupe_key=f"{dedupe_key}:{first.pk}"
                )
                continue
            return Received(signal=first, duplicate=True)
    raise IntegrityError(f"signal dedupe key {dedupe_key} kept colliding")


# PostgreSQL: a transaction-scoped advisory lock per bot, taken before the INSERT (see
# _insert_committed). Its 64-bit key: a space of its own in the top 16 bits, the bot id in the
# rest (bots whose ids differ only above 2**48 share a key: their receipts only wait for each
# other).
_RECEIPT_LOCK_SPACE = 0x5147 << 48  # "QG": still a positive bigint
_BOT_ID_BITS = (1 << 48) - 1


def _insert_committed(row: Signal, *, notify_rejected: bool) -> None:
    """The one INSERT. An accepted signal outside a transaction (a request) is its own
    transaction, committed when it returns: no BEGIN and COMMIT around it. A signal rejected at
    receipt is written with its notice in one transaction; inside a caller's transaction, a
    savepoint, so that a duplicate leaves the caller's transaction usable.

    On PostgreSQL two receipts for one bot could commit in the other order than their ids (a
    sequence hands ids out at INSERT, commits land later), and the worker, which runs a bot's
    signals by id, could run the later one first. There the INSERT runs under a per-bot lock
    held until its commit: a bot's ids are committed in their order, i.e. the order of receipt.
    SQLite has one writer at a time: its ids are committed in their order already."""
    ordered = connection.vendor == "postgresql"
    if notify_rejected or ordered or connection.in_atomic_block:
        with transaction.atomic():
            if ordered:
                with connection.cursor() as cursor:
                    key = _RECEIPT_LOCK_SPACE | (row.bot_id & _BOT_ID_BITS)
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            row_insert(row)
            if notify_rejected:
                signal_rejected_notice(row)
    else:
        row_insert(row)


# Compiled once (egis.core.rows); the statuses are literal so SQLite uses the partial index of
# unfinished signals.
_OLDER_UNFINISHED = RowQuery(
    Signal,
    f"bot_id = %s AND status IN ('{SignalStatus.QUEUED}', '{SignalStatus.EXECUTING}') AND id < %s",
    fields=["id"],
    limit=1,
)


def _enqueue_unless_behind(signal: Signal) -> None:
    """Wake the worker for this bot, unless the signal queues behind an older unfinished one.

    The row is committed at this point. An older signal of the bot still queued or executing
    will be claimed (by its own wake-up, or the worker already running it), and the worker's
    loop then claims every later committed signal of the bot in order (signal_process): a
    second wake-up would find nothing to do. Under a burst this spares most enqueues, each a
    write to the task queue's own database. A lost wake-up is picked up by the periodic sweep.
    """
    behind = _OLDER_UNFINISHED.one(signal.bot_id, signal.pk)
    if behind is None:
        _enqueue_after_commit(signal.bot_id)


def _enqueue_after_commit(bot_id: int) -> None:
    transaction.on_commit(lambda: _wake(bot_id))


def _wake(bot_id: int) -> None:
    """Queue the bot's run. The signal is committed already: a queue that cannot take the task
    (its file locked past the busy timeout, Redis away) loses only this wake-up, which the
    periodic sweep makes up within a minute, so the sender still gets its answer (202), not a
    500 that would make it retry a signal that is recorded."""
    # egis.signals.tasks imports this module for the work itself; the task is only named here.
    from egis.signals.tasks import signals_process_bot

    try:
        signals_process_bot(bot_id)
    except Exception:
        logger.warning(
            "bot %s: the worker was not woken (the periodic sweep runs its signals)",
            bot_id,
            exc_info=True,
        )
