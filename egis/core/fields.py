"""An exact decimal column.

Django's DecimalField on SQLite goes through REAL: `SUM()` returns a float and values are rebuilt
with 15 significant digits. That is the journal's "Available: $-0.01". We store a Decimal as an
integer count of 10**-places units instead, so storage, comparison and `SUM()` are integer
arithmetic on SQLite and PostgreSQL alike. Never do arithmetic on these columns in SQL other
than SUM/MIN/MAX/comparisons: the scale is ours, not the database's.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import Combinable

from egis.core.inputs import QTY_PLACES


class FixedDecimalField(models.BigIntegerField):
    description = "Exact decimal stored as a scaled integer"
    # What django-stubs' plugin types model attributes of this field as.
    _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]
    _pyi_lookup_exact_type: Decimal | int | str  # type: ignore[assignment]

    def __init__(self, *args: Any, places: int = QTY_PLACES, **kwargs: Any) -> None:
        self.places = places
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["places"] = self.places
        return name, path, args, kwargs

    def to_decimal(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money and quantities are Decimal, never float")
        if isinstance(value, Decimal):
            d = value
        else:
            try:
                d = Decimal(str(value))
            except InvalidOperation as exc:
                raise ValidationError(f"{value!r} is not a decimal number") from exc
        if not d.is_finite():
            raise ValidationError(f"{value!r} is not a finite decimal")
        return d

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        d = self.to_decimal(value)
        assert d is not None
        scaled = d.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            # Rounding is a business decision with a trace; the column never rounds silently.
            raise ValueError(f"{d} has more than {self.places} decimal places")
        return int(scaled)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)

    def to_python(self, value: Any) -> Decimal | None:
        return self.to_decimal(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return value

    @property
    def validators(self) -> list[Any]:
        # BigIntegerField's range validators compare raw integers; the scaled range is ours.
        return []

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DecimalField(decimal_places=self.places, **kwargs)
