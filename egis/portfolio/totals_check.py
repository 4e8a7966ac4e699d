"""The maintained closed totals against the SUM over the positions (the drift job's check).

`totals_by_sum` reads the whole history of the bots given (the drift job runs it, never a page);
`totals_mismatches` compares it with the maintained rows; `totals_drift_record` raises one open
incident of kind `drift` per bot that disagrees (a repeated check finds it again); the totals are
only for display (no budget or risk decision reads them), so the bot is not halted. The repair is
`totals_rebuild` (egis reconcile-totals --rebuild BOT_ID), after a person looked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.expressions import RawSQL

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.bots.pnl_series import SHOWN_FEE_CENTS_SQL, SHOWN_NET_CENTS_SQL  # one row, in SQL
from egis.core.money import plain
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, IncidentKind, IncidentStatus, Position
from egis.ledger.pnl import REALIZED_ROWS
from egis.portfolio.models import BotClosedTotals
from egis.portfolio.totals import ClosedTotals, totals_of

TOTALS_DEDUPE_PREFIX = "drift:closed-totals:bot:"


def totals_by_sum(bot_ids: Iterable[int]) -> dict[int, ClosedTotals]:
    """The closed totals as the SUM over each bot's positions gives them (reads the history)."""
    ids = list(bot_ids)
    cents = RawSQL(SHOWN_NET_CENTS_SQL, ())  # noqa: S611 (a constant: no input reaches it)
    fee_cents = RawSQL(SHOWN_FEE_CENTS_SQL, ())  # noqa: S611 (a constant: no input reaches it)
    rows = (
        Position.objects.filter(REALIZED_ROWS, bot_id__in=ids)
        .values("bot_id")
        .annotate(
            n=Count("id"),
            wins=Count("id", filter=Q(realized_pnl_usd__gt=F("fees_usd"))),
            realized=Sum("realized_pnl_usd"),
            fees=Sum("fees_usd"),
            cents=Sum(cents, output_field=BigIntegerField()),
            fee_cents=Sum(fee_cents, output_field=BigIntegerField()),
        )
        .order_by()
    )
    found = {
        r["bot_id"]: ClosedTotals(
            closed_count=r["n"],
            wins=r["wins"],
            realized_pnl_usd=r["realized"] or Decimal(0),
            fees_usd=r["fees"] or Decimal(0),
            shown_net_cents=int(r["cents"] or 0),
            shown_fee_cents=int(r["fee_cents"] or 0),
        )
        for r in rows
    }
    return {pk: found.get(pk, ClosedTotals()) for pk in ids}


def _text(value: object) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


def _describe(kept: ClosedTotals, summed: ClosedTotals) -> dict[str, Any]:
    diff = {}
    for name, value in kept.as_values().items():
        other = summed.as_values()[name]
        if value != other:
            diff[name] = {"kept": _text(value), "sum": _text(other)}
    return diff


def totals_mismatches(bot_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """Bots whose maintained totals differ from the SUM, each with what differs."""
    ids = (
        list(bot_ids)
        if bot_ids is not None
        else list(Bot.objects.order_by("id").values_list("pk", flat=True))
    )
    kept = totals_of(ids)
    summed = totals_by_sum(ids)
    return {pk: _describe(kept[pk], summed[pk]) for pk in ids if kept[pk] != summed[pk]}


def totals_drift_record(bot_id: int, diff: dict[str, Any]) -> Incident:
    """One open incident per bot whose totals disagree (found again, not written twice)."""
    prefix = f"{TOTALS_DEDUPE_PREFIX}{bot_id}:"
    incident = (
        Incident.objects.filter(
            kind=IncidentKind.DRIFT, status=IncidentStatus.OPEN, dedupe_key__startswith=prefix
        )
        .order_by("id")
        .first()
    )
    if incident is not None:
        return incident
    seq = Incident.objects.filter(dedupe_key__startswith=prefix).count() + 1
    fields = ", ".join(f"{k} kept {v['kept']} vs sum {v['sum']}" for k, v in diff.items())
    return incident_record(
        kind=IncidentKind.DRIFT,
        bot_id=bot_id,
        payload={"scope": "closed_totals", "bot_ids": [bot_id], "difference": diff},
        error=(
            f"drift: the closed totals of bot #{bot_id} disagree with its positions ({fields}); "
            f"the pages show the kept figures. Look, then `egis reconcile-totals --rebuild "
            f"{bot_id}` and resolve with --action acknowledge"
        )[:2000],
        dedupe_key=f"{prefix}{seq}",
    )


def totals_rebuild(bot_id: int) -> ClosedTotals:
    """Set the bot's totals to the SUM (the repair), with the bot locked like every writer."""
    with transaction.atomic():
        lock_bot(bot_id)
        summed = totals_by_sum([bot_id])[bot_id]
        BotClosedTotals.objects.update_or_create(bot_id=bot_id, defaults=summed.as_values())
    return summed


@dataclass
class TotalsDrift:
    """One bot whose maintained closed totals disagree with the SUM (the drift job's finding)."""

    bot_id: int
    difference: dict[str, Any]
    incident_id: int | None = None

    def describe(self) -> str:
        fields = ", ".join(
            f"{k} kept {v['kept']} vs sum {v['sum']}" for k, v in self.difference.items()
        )
        return f"bot #{self.bot_id} closed totals: {fields or 'agree'}"

    def as_json(self) -> dict[str, Any]:
        return {
            "bot_id": self.bot_id,
            "difference": self.difference,
            "incident_id": self.incident_id,
            "hint": f"egis reconcile-totals --rebuild {self.bot_id}, then resolve with "
            "--action acknowledge",
        }


def totals_drift_check(bot_id: int | None = None, *, record: bool = True) -> list[TotalsDrift]:
    """The drift job's totals check over every live bot (or one): each disagreement found,
    recorded as an incident with `record`."""
    if bot_id is not None:
        ids = [bot_id]
    else:
        ids = list(
            Bot.objects.filter(deleted_at__isnull=True).order_by("id").values_list("pk", flat=True)
        )
    found = [TotalsDrift(pk, diff) for pk, diff in totals_mismatches(ids).items()]
    if record:
        for item in found:
            item.incident_id = totals_drift_record(item.bot_id, item.difference).pk
    return found


def totals_incident_recheck(incident: Incident) -> TotalsDrift | None:
    """For acknowledging a totals incident: the bot's difference now (None: they agree)."""
    bot_id = incident.bot_id
    if bot_id is None:
        return None
    diff = totals_mismatches([bot_id]).get(bot_id)
    return TotalsDrift(bot_id, diff) if diff else None


def is_totals_incident(incident: Incident) -> bool:
    return (incident.payload or {}).get("scope") == "closed_totals"
