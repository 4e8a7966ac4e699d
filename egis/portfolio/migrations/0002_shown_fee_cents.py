"""The closed totals keep the sum of their rows' shown fees in whole cents (egis.ledger.pnl.
shown_fee_cents), backfilled in the same migration from the positions they count (closed, not
archived), rounded half away from zero as the rows show them. Written in SQL so the migration does
not depend on today's code."""

from django.db import migrations, models

# Money columns are integers of 10**-8 USD (egis.core.fields, places 8): a cent is 10**6 units.
_UNITS_PER_CENT = 10**6
_FEE_CENTS = (
    f"CASE WHEN p.fees_usd >= 0 THEN (p.fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT} "
    f"ELSE -((-p.fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT}) END"
)
_BACKFILL = (
    "UPDATE bot_closed_totals SET shown_fee_cents = ("  # noqa: S608 (a constant)
    f"SELECT COALESCE(SUM({_FEE_CENTS}), 0) FROM positions p "
    "WHERE p.bot_id = bot_closed_totals.bot_id AND p.status = 'closed' AND p.archived_at IS NULL)"
)


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="botclosedtotals",
            name="shown_fee_cents",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
