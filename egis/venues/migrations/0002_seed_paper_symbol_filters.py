from django.db import migrations


def seed(apps, schema_editor):
    from egis.venues.symbol_filters_seed import BINANCE_USDM_FILTERS

    SymbolFilter = apps.get_model("venues", "SymbolFilter")
    for symbol, rules in BINANCE_USDM_FILTERS.items():
        SymbolFilter.objects.update_or_create(venue_key="paper", symbol=symbol, defaults=rules)


def unseed(apps, schema_editor):
    apps.get_model("venues", "SymbolFilter").objects.filter(venue_key="paper").delete()


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
