from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from egis.core.fields import FixedDecimalField


def test_round_trip_is_exact():
    field = FixedDecimalField()
    for text in ["0", "8.80368", "123456789.12345678", "-1.25", "0.00000001"]:
        stored = field.get_prep_value(Decimal(text))
        assert isinstance(stored, int)
        assert field.from_db_value(stored, None, None) == Decimal(text)


def test_refuses_floats_and_silent_rounding():
    field = FixedDecimalField()
    with pytest.raises(TypeError, match="never float"):
        field.get_prep_value(0.1)
    with pytest.raises(ValueError, match="more than 8 decimal places"):
        field.get_prep_value(Decimal("0.000000001"))
    with pytest.raises(ValidationError):
        field.get_prep_value(Decimal("NaN"))


@pytest.mark.django_db
def test_sql_sum_is_exact(paper_bot):
    from django.db.models import Sum

    from egis.ledger.models import Position

    Position.objects.bulk_create(
        Position(
            bot=paper_bot,
            symbol="ETHUSDT",
            side="long",
            status="open",
            requested_size_usd=Decimal("0.1"),
            size_usd=Decimal("0.1"),
        )
        for _ in range(10)
    )
    total = Position.objects.aggregate(t=Sum("size_usd"))["t"]
    assert total == Decimal("1") and isinstance(total, Decimal)
