"""Storing a price: the latest row per source and symbol, and its bounded history.

Every stored price (the worker's simulated step or Binance poll, an operator's `egis price set`)
goes through `price_store`, which in one transaction updates the `prices` row (its `updated_at` is
the price's own timestamp, shown as its age on the pages), appends a `price_points` row and prunes
the symbol's history to the last EGIS_PRICE_HISTORY_POINTS. The prune deletes by id below a cutoff
read from the (source, symbol, id) index, so one tick costs the same with 10 or 10,000 points kept.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from egis.venues.models import Price, PricePoint


def price_store(*, source: str, symbol: str, price: Decimal, step: int | None = None) -> Price:
    """Store `price` as the current price of `symbol` from `source`, with a history point."""
    with transaction.atomic():
        row = Price.objects.select_for_update().filter(source=source, symbol=symbol).first()
        if row is None:
            row = Price(source=source, symbol=symbol, price=price, step=step or 0)
            row.save()
        else:
            row.price = price
            if step is not None:
                row.step = step
            row.save(update_fields=["price", "step", "updated_at"])
        PricePoint.objects.create(source=source, symbol=symbol, price=price, at=row.updated_at)
        history_prune(source=source, symbol=symbol)
    return row


def history_prune(*, source: str, symbol: str, keep: int | None = None) -> int:
    """Delete all but the newest `keep` points of one symbol; returns how many were deleted."""
    keep = settings.EGIS_PRICE_HISTORY_POINTS if keep is None else keep
    points = PricePoint.objects.filter(source=source, symbol=symbol)
    # The newest point that falls out of the window; everything at or below its id goes.
    cutoff = points.order_by("-id").values_list("id", flat=True)[keep : keep + 1]
    first_out = next(iter(cutoff), None)
    if first_out is None:
        return 0
    deleted, _ = points.filter(id__lte=first_out).delete()
    return deleted
