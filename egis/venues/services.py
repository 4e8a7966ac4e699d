"""Writes of venue reference data an operator maintains by hand (symbol rules)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from egis.core.errors import UserFacingError
from egis.venues.models import SymbolFilter

FILTER_FIELDS = ("step_size", "min_qty", "min_notional", "tick_size")


class SymbolFilterError(UserFacingError):
    pass


def symbol_filter_set(*, venue_key: str, symbol: str, values: dict[str, Decimal]) -> SymbolFilter:
    """Create a symbol's rules (every field required) or change the fields given."""
    with transaction.atomic():
        row = SymbolFilter.objects.select_for_update().filter(venue_key=venue_key, symbol=symbol)
        found = row.first()
        if found is None:
            missing = set(FILTER_FIELDS) - set(values)
            if missing:
                flags = " --".join(sorted(missing)).replace("_", "-")
                raise SymbolFilterError(f"a new symbol needs --{flags}")
            return SymbolFilter.objects.create(venue_key=venue_key, symbol=symbol, **values)
        for key, value in values.items():
            setattr(found, key, value)
        found.save()
        return found
