"""How egis.core.row_saves binds a model's values for INSERT and UPDATE: what `save()` binds.

`save()` binds each field's `pre_save(obj, add)` (auto_now, auto_now_add) prepared by
`get_db_prep_save`, a chain of three or four calls per field (`get_db_prep_save ->
get_db_prep_value -> get_prep_value -> to_python`, then the backend's adapter). What a field
binds for a value is decided once per field (`_Bind`), so a save runs only the step that changes
the value, with the same result, byte for byte (tests/core/test_row_fast_paths.py compares them).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    AutoField,
    BigAutoField,
    BooleanField,
    CharField,
    DateTimeField,
    JSONField,
    Model,
    TextField,
)
from django.db.models.fields import Field

from egis.core.fields import FixedDecimalField


def _integer_key(field: Any) -> bool:
    """A foreign key to an integer primary key: its stored value is the int itself."""
    return bool(
        field.many_to_one
        and isinstance(field.target_field, (AutoField, BigAutoField))
        and not isinstance(field, JSONField)
    )


# The value types that these exact field classes bind unchanged (their get_db_prep_save returns
# a value of that type as it is). Subclasses are not trusted: they may prepare differently.
_UNCHANGED: dict[type[Any], type[Any]] = {CharField: str, TextField: str, BooleanField: bool}


Prep = Callable[[Any, Any], Any]  # (a value that is not None, connection) -> the bound parameter


def _prep(field: Field[Any, Any]) -> Prep:
    """`field.get_db_prep_save`, or for the exact field classes the hot path writes, the one
    conversion that chain ends in for the value types it sees, called directly; any other value
    (an expression, a lazy string, a naive datetime...) still goes through the whole chain. For
    these values each step before that conversion returns the value as it is:

    - FixedDecimalField, a Decimal or an int: get_db_prep_save -> its get_db_prep_value ->
      its get_prep_value (the scaling to an integer count of units), called here;
    - DateTimeField, an aware datetime: get_prep_value (to_python returns a datetime as it is;
      only a naive one is converted, with a warning) -> `ops.adapt_datetimefield_value`;
    - JSONField, a dict or a list: get_prep_value (Field's: only lazy strings change) ->
      `ops.adapt_json_value(value, field.encoder)`;
    - CharField/TextField, a str subclass (a TextChoices member): to_python returns any str as
      it is (the plain str is passed through by `_Bind.passthrough`).
    """
    generic = field.get_db_prep_save
    kind = type(field)

    if kind is FixedDecimalField:

        def fixed(value: Any, connection: Any) -> Any:
            if type(value) is Decimal or type(value) is int:
                return field.get_prep_value(value)
            return generic(value, connection)

        return fixed
    if kind is DateTimeField:

        def moment(value: Any, connection: Any) -> Any:
            if type(value) is datetime.datetime and value.utcoffset() is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return generic(value, connection)

        return moment
    if kind is JSONField:

        def document(value: Any, connection: Any) -> Any:
            if type(value) is dict or type(value) is list:
                return connection.ops.adapt_json_value(value, field.encoder)  # type: ignore[attr-defined]
            return generic(value, connection)

        return document
    if kind is CharField or kind is TextField:

        def text(value: Any, connection: Any) -> Any:
            return value if isinstance(value, str) else generic(value, connection)

        return text
    return generic


class _Bind:
    """How one field's value is bound, decided once per field instead of on every save."""

    __slots__ = ("attname", "field", "json", "passthrough", "pre_save", "prep")

    def __init__(self, field: Field[Any, Any]) -> None:
        self.field = field
        self.attname = field.attname
        # Field.pre_save is getattr; only overrides (auto_now, auto_now_add...) must be called.
        self.pre_save = type(field).pre_save is not Field.pre_save
        self.json = isinstance(field, JSONField)
        self.passthrough: type[Any] | None = (
            int if _integer_key(field) else _UNCHANGED.get(type(field))
        )
        self.prep = _prep(field)


def _binds(fields: list[Field[Any, Any]]) -> list[_Bind]:
    return [_Bind(f) for f in fields]


def _save_params(obj: Model, binds: list[_Bind], connection: Any, *, add: bool) -> list[Any]:
    """What `save()` binds: each field's pre_save (auto_now) then get_db_prep_save (through
    `_prep`), except where there is nothing to prepare: None (SQL NULL) for any field but JSON
    (where None could mean JSON null), and a value whose exact type the field binds unchanged (an
    int for an integer foreign key, a str for a CharField/TextField, a bool for a BooleanField)."""
    params: list[Any] = []
    append = params.append
    for bind in binds:
        value = bind.field.pre_save(obj, add) if bind.pre_save else getattr(obj, bind.attname)
        if value is None:
            append(bind.field.get_db_prep_save(value, connection) if bind.json else None)
        elif bind.passthrough is not None and type(value) is bind.passthrough:
            append(value)
        else:
            append(bind.prep(value, connection))
    return params


def _bind_values(binds: list[_Bind], values: Sequence[Any], connection: Any) -> list[Any]:
    """What `get_db_prep_save` binds for each value, as `_save_params` binds it (no pre_save)."""
    params: list[Any] = []
    for bind, value in zip(binds, values, strict=True):
        if value is None:
            params.append(bind.field.get_db_prep_save(value, connection) if bind.json else None)
        elif bind.passthrough is not None and type(value) is bind.passthrough:
            params.append(value)
        else:
            params.append(bind.prep(value, connection))
    return params
