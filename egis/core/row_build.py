"""Model instances for rows read by egis.core.rows: what `Model.from_db` builds, without
`Model.__init__` where nothing can tell the difference.

`Model.from_db(alias, names, values)` calls `Model(*values)` (DEFERRED for the columns not
read), whose `__init__` sends `pre_init`, sets a fresh `ModelState`, assigns each loaded value
through the class attribute of its field (`setattr`), sends `post_init`; then `from_db` sets
`_state.adding = False` and `_state.db = alias`. About 35 µs of Python for a wide model, most of
it the generic argument handling. For a model where that is all `__init__` can do, `build` does
the same directly:

- a new instance (`__new__`), its `_state` a fresh ModelState with `adding=False`, `db=alias`;
- each loaded attname written into the instance's `__dict__`, which is what `setattr` does for a
  field whose class attribute has no `__set__` (Django's DeferredAttribute); a foreign key's
  attname (ForeignKeyDeferredAttribute) also stores into `__dict__`, after reading
  `_state.fields_cache` when the value is not None, which creates that cache (empty): so does
  `build`. Unloaded fields are absent from `__dict__`, i.e. deferred, as `from_db` leaves them.

It falls back to `Model.from_db` on every call where anything else could happen: a `pre_init`
or `post_init` receiver for the model (checked per call: a receiver connected later is never
skipped), and, decided once per model, an `__init__`, `__setattr__` or `from_db` of its own
(or of a mixin), a `__new__`, another descriptor with `__set__` on a field's attname, an
abstract model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

_MODEL_FROM_DB = Model.from_db.__func__  # type: ignore[attr-defined]


class _Plan:
    """What `build` needs to know about a model, once: whether it may skip `__init__`, and the
    attnames of its foreign keys (whose assignment creates `_state.fields_cache`)."""

    __slots__ = ("direct", "foreign_keys")

    def __init__(self, model: type[Model]) -> None:
        self.foreign_keys: tuple[str, ...] = ()
        self.direct = _plain_init(model)
        if self.direct:
            keys = []
            for field in model._meta.concrete_fields:
                kind = _class_attribute(model, field.attname)
                if type(kind) is ForeignKeyDeferredAttribute:
                    keys.append(field.attname)
                elif kind is not None and hasattr(type(kind), "__set__"):
                    self.direct = False  # an assignment that may do anything
            self.foreign_keys = tuple(keys)


def _class_attribute(model: type[Model], name: str) -> Any:
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _plain_init(model: type[Model]) -> bool:
    """Only Django's Model.__init__ and from_db run, and instances set attributes plainly."""
    if model._meta.abstract or model.__setattr__ is not object.__setattr__:
        return False
    if getattr(model.from_db, "__func__", None) is not _MODEL_FROM_DB:
        return False
    own = [k.__dict__ for k in model.__mro__ if k not in (Model, object)]
    return all("__init__" not in names and "__new__" not in names for names in own)


_PLANS: dict[type[Model], _Plan] = {}


def builder(model: type[Model]) -> _Plan | None:
    """The model's plan when `build` may skip `__init__` now, else None (use `from_db`).
    Call it once per statement: the init receivers are checked here, on every call."""
    if (pre_init.receivers and pre_init.has_listeners(model)) or (
        post_init.receivers and post_init.has_listeners(model)
    ):
        return None
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = _Plan(model)
    return plan if plan.direct else None


def build(
    plan: _Plan | None,
    model: type[Model],
    alias: str,
    names: Sequence[str],
    values: Sequence[Any],
) -> Any:
    """`model.from_db(alias, names, values)`; `names` are attnames in the model's field order."""
    if plan is None:
        return model.from_db(alias, names, values)
    new = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    loaded = new.__dict__
    loaded["_state"] = state
    loaded.update(zip(names, values, strict=True))
    for attname in plan.foreign_keys:
        if loaded.get(attname) is not None:
            state.fields_cache = {}  # what the key's descriptor leaves behind (see above)
            break
    return new
