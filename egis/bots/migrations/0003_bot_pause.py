"""Pause a bot (egis.portfolio.pause): who paused it and when; NULL is running."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bots", "0002_bot_risk_limits")]

    operations = [
        migrations.AddField(
            model_name="bot",
            name="paused_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="bot",
            name="paused_by",
            field=models.CharField(blank=True, default="", max_length=160),
        ),
    ]
