"""One word for one concept: `pending_reconciliations` is now `incidents` (model, table, names)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bots", "0001_initial"),
        ("ledger", "0005_positions_closed_by_bot"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("PendingReconciliation", "Incident"),
        migrations.AlterModelTable("incident", "incidents"),
        migrations.AlterField(
            "incident",
            "bot",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.PROTECT,
                related_name="incidents",
                to="bots.bot",
            ),
        ),
        migrations.AlterField(
            "incident",
            "order",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.PROTECT,
                related_name="incidents",
                to="ledger.order",
            ),
        ),
        migrations.RenameIndex(
            "incident", new_name="incidents_by_status", old_name="reconciliations_by_status"
        ),
        migrations.RemoveConstraint("incident", "reconciliations_kind_valid"),
        migrations.RemoveConstraint("incident", "reconciliations_status_valid"),
        migrations.AddConstraint(
            "incident",
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["db_failed_after_venue", "unknown_order", "venue_refused_close", "drift"]
                ),
                name="incidents_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            "incident",
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "resolved"]), name="incidents_status_valid"
            ),
        ),
    ]
