# A signal's reason code is stored with its reason (budget and risk refusals have one too);
# rows written before are given the code of their reason's known form.

from django.db import migrations, models


def backfill(apps, schema_editor):
    from egis.signals.reason_words import reason_worded  # pure: text in, code out

    Signal = apps.get_model("signals", "Signal")
    rows = Signal.objects.exclude(reason="").filter(reason_code="").only("id", "reason")
    changed = []
    for row in rows.iterator(chunk_size=2000):
        code = reason_worded(row.reason).code
        if code:
            row.reason_code = code
            changed.append(row)
        if len(changed) >= 2000:
            Signal.objects.bulk_update(changed, ["reason_code"])
            changed = []
    if changed:
        Signal.objects.bulk_update(changed, ["reason_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("signals", "0002_signals_acted_by_bot"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="reason_code",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
