# The Bots list's "last signal acted" seeks each bot's newest executed signal (issue 13,
# benchmark 8): an index on (bot, status, processed_at) instead of a walk over every signal.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="signal",
            index=models.Index(
                fields=["bot", "status", "processed_at"], name="signals_acted_by_bot"
            ),
        ),
    ]
