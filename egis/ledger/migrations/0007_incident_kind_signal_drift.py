# A signal whose sender believed another state than the ledger's (a missed alert) is an incident.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bots', '0001_initial'),
        ('ledger', '0006_incidents'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='incident',
            name='incidents_kind_valid',
        ),
        migrations.AlterField(
            model_name='incident',
            name='kind',
            field=models.CharField(choices=[('db_failed_after_venue', 'DB write failed after the venue answered'), ('unknown_order', 'Order outcome unknown'), ('venue_refused_close', 'Venue refused a close'), ('drift', 'Ledger and venue disagree'), ('signal_drift', "A signal's sender believed another state (missed alert?)")], max_length=32),
        ),
        migrations.AddConstraint(
            model_name='incident',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['db_failed_after_venue', 'unknown_order', 'venue_refused_close', 'drift', 'signal_drift'])), name='incidents_kind_valid'),
        ),
    ]
