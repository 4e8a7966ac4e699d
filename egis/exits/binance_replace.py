"""A Binance exit that was never placed is placed again while its position stays open.

Recovery judges a `placing` exit never placed once Binance still does not know its clientAlgoId
past EGIS_RECOVERY_NOT_FOUND_GRACE_S (egis.exits.binance_recovery): `failed`, loud, with an
`exit_not_active` incident. While automatic attempts remain (EGIS_EXIT_REPLACE_ATTEMPTS per
chain: the exit as set, then each exit placed again for it), that verdict is written with
NEVER_PLACED_MARK heading the row's error, and the re-arm pass (binance_exits_rearm, the first
step of the worker's poll) places it again:

- only while its position is open with no close in flight, and only if its owner has not set or
  cleared that kind since (exits_set calls marks_superseded, which takes the mark away);
- through exit_place_again, like every exit placed again: the mark is consumed by
  compare-and-set in the transaction that writes the new row (`placing`, before any venue call),
  so one row, and only one, replaces it. Its clientAlgoId is derived from the lost one
  (`<first id>-r<n>`, egis.exits.ids), so the unique index says the same, and the attempt is
  read from the id;
- a worker killed between that row and its POST leaves it `placing`: recovery settles it by
  lookup (found: resting; unknown past the grace: never placed, the next attempt). Nothing is
  sent twice under one id, and a new id is drawn only once the last one is judged never placed;
- when a replacement rests, the incidents of the exits it stands for are resolved ("decided",
  naming it); when it was never placed either, its own incident speaks for the chain and theirs
  are resolved, so one stays open per chain;
- attempts ran out: the last exit stays failed and loud, its incident open, its error says so.
"""

from __future__ import annotations

import logging

from django.conf import settings

from egis.core.choices import Venue
from egis.core.figures import qty_text
from egis.exits.binance_rows import (
    NEVER_PLACED_MARK,
    SKIPPED,
    UNKNOWN,
    AlgoFactory,
    ExitStep,
    chain_incidents_close,
    exit_not_active,
)
from egis.exits.ids import replacement_attempt, replacement_client_algo_id
from egis.exits.models import Exit, ExitStatus
from egis.ledger.models import PositionStatus
from egis.venues.base import VenueError

logger = logging.getLogger("egis.exits.binance")


def _ran_out(limit: int) -> str:
    if limit <= 0:
        return "automatic attempts are off (EGIS_EXIT_REPLACE_ATTEMPTS=0)"
    return f"its {limit} automatic attempt{'s' if limit != 1 else ''} ran out"


def exit_never_placed(exit_row: Exit, *, age_s: int) -> ExitStep:
    """Recovery's verdict on a `placing` exit Binance does not know past the grace: failed and
    loud; marked to be placed again while attempts remain, else saying they ran out."""
    limit = settings.EGIS_EXIT_REPLACE_ATTEMPTS
    attempt = replacement_attempt(exit_row.client_algo_id) + 1
    seen = f"never placed: Binance does not know it {age_s} s after it was written"
    if attempt <= limit:
        why = (
            f"{seen}; Egis places it again while its position stays open (automatic attempt "
            f"{attempt} of {limit})"
        )
        step = exit_not_active(
            exit_row, to=ExitStatus.FAILED, why=why, report=None, mark=NEVER_PLACED_MARK
        )
    else:
        why = f"{seen}; not placed again: {_ran_out(limit)}"
        step = exit_not_active(exit_row, to=ExitStatus.FAILED, why=why, report=None)
    if step.incident_id is not None:
        chain_incidents_close(
            exit_row,
            f"{exit_row.client_algo_id}, placed again for it, was never placed either "
            f"(incident #{step.incident_id})",
        )
    return step


def binance_exits_replace(*, algos_for: AlgoFactory) -> list[ExitStep]:
    """Exits marked never placed (NEVER_PLACED_MARK) whose position is open with no close in
    flight: each placed again once, under its derived id (see the module doc)."""
    from egis.exits.binance_resize import exit_place_again

    limit = settings.EGIS_EXIT_REPLACE_ATTEMPTS
    rows = (
        Exit.objects.select_related("position", "bot", "bot__exchange_account")
        .filter(
            venue=Venue.BINANCE_FUTURES,
            status=ExitStatus.FAILED,
            error__startswith=NEVER_PLACED_MARK,
            position__status=PositionStatus.OPEN,
            position__qty__gt=0,
            position__closing_order__isnull=True,  # no close in flight
        )
        .order_by("id")
    )
    steps = []
    for exit_row in rows:
        said = exit_row.error[len(NEVER_PLACED_MARK) :]
        cid = replacement_client_algo_id(exit_row.client_algo_id)
        attempt = replacement_attempt(cid)
        if attempt > limit:  # the setting was lowered since the verdict
            Exit.objects.filter(pk=exit_row.pk, error=exit_row.error).update(
                error=f"{said}; not placed again: {_ran_out(limit)}"[:2000]
            )
            continue
        replacement = f"{said}; placed again as {cid}"[:2000]
        try:
            algos = algos_for(exit_row.bot)
            position = exit_row.position
            step = exit_place_again(
                exit_row,
                position,
                algos=algos,
                reason=f"placed again as {cid} for "
                f"{qty_text(position.qty, symbol=position.symbol)}: "
                f"{exit_row.client_algo_id} was never placed (automatic attempt {attempt} of "
                f"{limit})",
                consume=(exit_row.error, replacement),
                client_algo_id=cid,
                action="exit_placed_again",
            )
        except VenueError as exc:
            steps.append(ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, exc.message))
            continue
        except Exception as exc:  # one exit's trouble never stalls the others
            logger.exception("placing exit %s again failed", exit_row.client_algo_id)
            detail = f"placing it again failed: {type(exc).__name__}: {exc}"
            steps.append(ExitStep(exit_row.pk, exit_row.client_algo_id, UNKNOWN, detail))
            continue
        if step.outcome == SKIPPED:
            if step.detail == "set again":  # another exit of its kind is live: none was written
                why = f"never placed; not placed again: another of its kind is live: {said}"
                Exit.objects.filter(pk=exit_row.pk, error=replacement).update(error=why[:2000])
            continue
        steps.append(step)
    return steps


__all__ = ["binance_exits_replace", "exit_never_placed"]
