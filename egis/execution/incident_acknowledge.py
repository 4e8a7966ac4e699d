"""acknowledge: a drift, signal-drift or exit incident, refused while a drift is still there."""

from __future__ import annotations

from egis.execution.incident_base import IncidentError
from egis.exits.binance_drift import OK as EXIT_DRIFT_OK
from egis.exits.binance_drift import account_exit_items
from egis.ledger.models import EXIT_INCIDENT_KINDS, Incident, IncidentKind
from egis.reconcile.drift import drift_recheck
from egis.reconcile.drift_report import DRIFT, NO_MIRROR
from egis.venues.models import ExchangeAccount


def acknowledge(incident: Incident) -> str:
    if incident.kind == IncidentKind.SIGNAL_DRIFT:
        return "signal drift acknowledged: the sender is back in step with the ledger"
    if incident.kind in EXIT_INCIDENT_KINDS:
        return f"{incident.get_kind_display().lower()} acknowledged"
    if incident.kind != IncidentKind.DRIFT:
        raise IncidentError("acknowledge is for drift incidents only")
    if (incident.payload or {}).get("check") == "exits":
        return _acknowledge_exit_drift(incident)
    item = drift_recheck(incident)
    if item is not None and item.status == DRIFT:
        raise IncidentError(
            f"the drift is still there ({item.describe()}): repair it first. {item.hint}"
        )
    if item is not None and item.status == NO_MIRROR:
        # Gone is not proven: acknowledging now would lift the halt on an unchecked scope.
        raise IncidentError(
            f"cannot re-check the drift: {item.hint}. Try again when the exchange answers."
        )
    where = item.describe() if item is not None else "scope no longer exists"
    return f"drift gone on re-check: {where}"


def _acknowledge_exit_drift(incident: Incident) -> str:
    """An exit drift (egis.exits.binance_drift) is acknowledged only once Binance's open algo
    orders agree with the ledger's resting exits again."""
    payload = incident.payload or {}
    account = ExchangeAccount.objects.filter(pk=int(payload.get("account_id") or 0)).first()
    items = account_exit_items(account) if account is not None else []
    item = next((i for i in items if i.symbol == payload.get("symbol")), None)
    if item is not None and item.status != EXIT_DRIFT_OK:
        raise IncidentError(
            f"the exit drift is still there or cannot be re-checked ({item.describe()}"
            + (f": {item.error}" if item.error else "")
            + "): cancel the unknown algo orders at Binance or set the exits again first"
        )
    where = item.describe() if item is not None else "scope no longer exists"
    return f"exit drift gone on re-check: {where}"
