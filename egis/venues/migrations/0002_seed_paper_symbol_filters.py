from django.db import migrations


def seed(apps, schema_editor):
    from egis.venues.symbol_filters_seed import seed_paper_filters

    seed_paper_filters(apps.get_model("venues", "SymbolFilter"))


def unseed(apps, schema_editor):
    apps.get_model("venues", "SymbolFilter").objects.filter(venue_key="paper").delete()


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
