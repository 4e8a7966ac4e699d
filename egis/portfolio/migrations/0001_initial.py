"""Per-bot closed totals (egis.portfolio.models), backfilled from the positions in the same
migration: one row per existing bot, equal to the SUM over its closed, non-archived positions
(egis.ledger.pnl.REALIZED_ROWS; the shown net in whole cents rounded half away from zero, as
egis.ledger.pnl.shown_net). Written in SQL so the migration does not depend on today's code."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

import egis.core.fields

# Money columns are integers of 10**-8 USD (egis.core.fields, places 8): a cent is 10**6 units.
_UNITS_PER_CENT = 10**6
_SHOWN_CENTS = (
    "CASE WHEN p.realized_pnl_usd >= p.fees_usd "
    f"THEN (p.realized_pnl_usd - p.fees_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT} "
    f"ELSE -((p.fees_usd - p.realized_pnl_usd + {_UNITS_PER_CENT // 2}) / {_UNITS_PER_CENT}) END"
)
_BACKFILL = (
    "INSERT INTO bot_closed_totals "
    "(bot_id, closed_count, wins, realized_pnl_usd, fees_usd, shown_net_cents, updated_at) "
    "SELECT b.id, COUNT(p.id), "
    "COALESCE(SUM(CASE WHEN p.realized_pnl_usd > p.fees_usd THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(p.realized_pnl_usd), 0), COALESCE(SUM(p.fees_usd), 0), "
    f"COALESCE(SUM({_SHOWN_CENTS}), 0), %s "
    "FROM bots b LEFT JOIN positions p ON p.bot_id = b.id AND p.status = 'closed' "
    "AND p.archived_at IS NULL GROUP BY b.id"
)


def backfill(apps, schema_editor):
    model = apps.get_model("portfolio", "BotClosedTotals")
    stamp = model._meta.get_field("updated_at").get_db_prep_value(
        timezone.now(), schema_editor.connection, prepared=False
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_BACKFILL, [stamp])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("bots", "0002_bot_risk_limits"),
        ("ledger", "0007_incident_kind_signal_drift"),
    ]

    operations = [
        migrations.CreateModel(
            name="BotClosedTotals",
            fields=[
                (
                    "bot",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="bots.bot",
                    ),
                ),
                ("closed_count", models.BigIntegerField(default=0)),
                ("wins", models.BigIntegerField(default=0)),
                ("realized_pnl_usd", egis.core.fields.FixedDecimalField(default=0, places=8)),
                ("fees_usd", egis.core.fields.FixedDecimalField(default=0, places=8)),
                ("shown_net_cents", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"db_table": "bot_closed_totals"},
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
