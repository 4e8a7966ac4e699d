"""The `exchange_positions` mirror: what Binance reports per account + symbol.

A mirror only: it is rebuilt from `GET /fapi/v3/positionRisk` and never read by the budget nor
written to `positions` (the ledger). v3 lists only symbols with a position or open orders, so a
mirrored symbol missing from the answer is flat now and is set to zero, not deleted. v3 rows
carry no `leverage` (v2's did): the mirror's leverage column is not written from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from egis.core.money import plain
from egis.ledger.domain import q8
from egis.venues.binance.reports import dec
from egis.venues.binance.venue import account_client
from egis.venues.models import ExchangeAccount, ExchangePosition


@dataclass
class SyncResult:
    account_id: int
    positions: list[dict[str, Any]] = field(default_factory=list)
    flattened: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "positions": self.positions,
            "flattened": self.flattened,
        }


def _parse(row: dict[str, Any]) -> dict[str, Any]:
    # A mirror may round to the column's 8 places; the raw answer is kept beside it.
    return {
        "position_amt": q8(dec(row.get("positionAmt", "0"), field="positionAmt")),
        "entry_price": q8(dec(row.get("entryPrice", "0"), field="entryPrice")),
        "mark_price": q8(dec(row.get("markPrice", "0"), field="markPrice")),
        "unrealized_pnl": q8(dec(row.get("unRealizedProfit", "0"), field="unRealizedProfit")),
    }


def _raw(row: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def sync_exchange_positions(account: ExchangeAccount) -> SyncResult:
    client = account_client(account)
    try:
        rows = client.signed_get("/fapi/v3/positionRisk")
    finally:
        client.close()
    if not isinstance(rows, list):
        rows = []
    now = timezone.now()
    result = SyncResult(account_id=account.pk)
    net: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("symbol"):
            continue
        parsed = _parse(row)
        symbol = str(row["symbol"])
        entry = net.setdefault(symbol, {**parsed, "raw": []})
        if entry["raw"]:  # several position sides (hedge mode): mirror their net amount
            entry["position_amt"] += parsed["position_amt"]
            entry["unrealized_pnl"] += parsed["unrealized_pnl"]
        entry["raw"].append(_raw(row))
    with transaction.atomic():
        for symbol, values in sorted(net.items()):
            raw_rows = values.pop("raw")
            # No leverage here: /fapi/v3/positionRisk has no such field (v2 had one), and a
            # mirror must not invent what the venue did not say.
            defaults = {
                **values,
                "raw": raw_rows[0] if len(raw_rows) == 1 else {"sides": raw_rows},
                "synced_at": now,
            }
            ExchangePosition.objects.update_or_create(
                account=account, symbol=symbol, defaults=defaults
            )
            result.positions.append(
                {
                    "symbol": symbol,
                    "position_amt": plain(values["position_amt"]),
                    "entry_price": plain(values["entry_price"]),
                    "mark_price": plain(values["mark_price"]),
                    "unrealized_pnl": plain(values["unrealized_pnl"]),
                }
            )
        gone = ExchangePosition.objects.filter(account=account).exclude(symbol__in=list(net))
        for row in gone.exclude(position_amt=0):
            result.flattened.append(row.symbol)
        gone.update(position_amt=0, unrealized_pnl=0, raw={}, synced_at=now)
    return result
