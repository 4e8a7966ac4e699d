from decimal import Decimal

from django.db import migrations

# SOLUSDT perpetual trades in 0.01 SOL steps (MARKET_LOT_SIZE stepSize/minQty 0.01), not 1.
# Only rows still holding the old seeded values change: an operator's edit is kept.
OLD = {"step_size": Decimal("1"), "min_qty": Decimal("1")}
NEW = {"step_size": Decimal("0.01"), "min_qty": Decimal("0.01")}


def forward(apps, schema_editor):
    SymbolFilter = apps.get_model("venues", "SymbolFilter")
    SymbolFilter.objects.filter(venue_key="paper", symbol="SOLUSDT", **OLD).update(**NEW)


def backward(apps, schema_editor):
    SymbolFilter = apps.get_model("venues", "SymbolFilter")
    SymbolFilter.objects.filter(venue_key="paper", symbol="SOLUSDT", **NEW).update(**OLD)


class Migration(migrations.Migration):
    dependencies = [("venues", "0002_seed_paper_symbol_filters")]
    operations = [migrations.RunPython(forward, backward)]
