"""What row_insert/row_update bind is what Field.get_db_prep_save binds, value for value."""

from __future__ import annotations

import datetime
import warnings
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.db.models import CharField, DateTimeField, JSONField, Model, TextField
from django.test.utils import override_settings
from django.utils.translation import gettext_lazy

from egis.core.fields import FixedDecimalField
from egis.core.row_binds import _Bind, _binds, _save_params
from egis.ledger.models import Order, OrderStatus, Position, PositionEvent
from egis.venues.paper.models import PaperFill, PaperPosition

MODELS = [Position, Order, PositionEvent, PaperFill, PaperPosition]
UTC = datetime.UTC
PARIS = ZoneInfo("Europe/Paris")

DECIMALS: list[Any] = [
    Decimal("0"),
    Decimal("-0"),
    Decimal("0.00"),
    Decimal("25.00"),
    Decimal("-1.5"),
    Decimal("0.00000001"),
    Decimal("-0.00000001"),
    Decimal("12345678901234567890.12345678"),  # 28 digits: the full precision
    Decimal("9999999999.99999999"),
    Decimal("1E+3"),
    Decimal("-2.5E-7"),
    Decimal("1.234567891"),  # more places than the column: refused
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    0,
    7,
    -3,
    10**18,
    True,
    "12.5",
    "x",
    1.5,
]
MOMENTS: list[Any] = [
    datetime.datetime(2026, 11, 26, 16, 0, 0, tzinfo=UTC),
    datetime.datetime(2026, 11, 26, 16, 0, 0, 123456, tzinfo=UTC),
    datetime.datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime.datetime(2026, 3, 29, 2, 30, tzinfo=PARIS),  # a DST gap
    datetime.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),  # a DST fold
    datetime.datetime(2026, 1, 1, 5, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=5))),
    datetime.datetime(2026, 11, 26, 16, 0, 0),  # naive: converted with a warning
    datetime.date(2026, 11, 26),
    "2026-11-26T16:00:00Z",
    "2026-11-26 16:00:00",
    "not a moment",
]
DOCUMENTS: list[Any] = [
    {},
    [],
    {"status": "open", "nested": [1, "x", None, True, {"a": -2}]},
    [1, 2, {"b": "é"}],
    {"money": Decimal("1.5")},  # not JSON: refused either way
    "text",
    5,
    True,
]
TEXTS: list[Any] = ["", "abc", "é ünïcode", OrderStatus.FILLED, gettext_lazy("lazy"), 5, True]


connection = connections["default"]  # the database wrapper itself, as rows.py has it


def _outcome(call: Any, *args: Any) -> tuple[Any, ...]:
    """What a call returned (its type and value) or raised (its class and message), with any
    warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = call(*args)
            result: tuple[Any, ...] = ("value", type(value), value, repr(value))
        except Exception as exc:
            result = ("raised", type(exc), str(exc))
    return (*result, [(w.category, str(w.message)) for w in caught])


def _fields(kind: type[Any]) -> list[Any]:
    return [f for m in MODELS for f in m._meta.concrete_fields if type(f) is kind]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (FixedDecimalField, DECIMALS),
        (DateTimeField, MOMENTS),
        (JSONField, DOCUMENTS),
        (CharField, TEXTS),
        (TextField, TEXTS),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
@pytest.mark.parametrize("use_tz", [True, False])
def test_the_direct_conversion_binds_what_get_db_prep_save_binds(kind, values, use_tz):
    fields = _fields(kind)
    assert fields, kind
    with override_settings(USE_TZ=use_tz):
        for field in fields:
            bind = _Bind(field)
            assert bind.prep is not field.get_db_prep_save  # a direct conversion is in use
            for value in values:
                expected = _outcome(field.get_db_prep_save, value, connection)
                assert _outcome(bind.prep, value, connection) == expected, (field, value)
                if kind in (CharField, TextField) and isinstance(value, str):  # bound as it is
                    assert bind.prep(value, connection) is field.get_db_prep_save(value, connection)


def test_other_fields_keep_the_whole_chain():
    direct = (FixedDecimalField, DateTimeField, JSONField, CharField, TextField)
    for model in MODELS:
        for field in model._meta.concrete_fields:
            if type(field) not in direct:
                assert _Bind(field).prep == field.get_db_prep_save, field


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_save_params_of_real_rows_are_what_save_binds(model, paper_bot, bob):
    from egis.ledger.pipeline import order_close, order_open

    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30.00", actor=bob)
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk, actor=bob)
    rows: list[Model] = list(model.objects.all())
    assert rows
    for obj in rows:
        pk = obj._meta.pk
        fields = [f for f in obj._meta.local_concrete_fields if f is not pk]
        for add in (True, False):
            # pre_save (auto_now) sets the attribute, so the ORM's chain reads what was bound.
            params = _save_params(obj, _binds(fields), connection, add=add)
            expected = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            assert [(type(p), p) for p in params] == [(type(e), e) for e in expected]
