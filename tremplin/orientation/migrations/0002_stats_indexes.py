# The figures of the orientation (stats.py): the delay to the first contact in whole days and
# the local month of sending, kept with each referral, and two covering indexes read in
# GROUP BY order.

from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    Referral = apps.get_model("orientation", "Referral")
    batch = []
    for referral in Referral.objects.only("pk", "sent_at", "first_contact_at").iterator():
        referral.sent_month = timezone.localtime(referral.sent_at).date().replace(day=1)
        if referral.first_contact_at is not None:
            seconds = (referral.first_contact_at - referral.sent_at).total_seconds()
            referral.first_contact_days = max(0, int(seconds // 86400))
        batch.append(referral)
        if len(batch) >= 2000:
            Referral.objects.bulk_update(batch, ["sent_month", "first_contact_days"])
            batch = []
    Referral.objects.bulk_update(batch, ["sent_month", "first_contact_days"])


class Migration(migrations.Migration):
    dependencies = [
        ("orientation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="first_contact_days",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="jours jusqu'au premier contact"
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="sent_month",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="mois d'envoi"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referral",
            name="sent_month",
            field=models.DateField(blank=True, editable=False, verbose_name="mois d'envoi"),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=[
                    "mission_locale",
                    "centre",
                    "first_contact_days",
                    "sent_at",
                    "status",
                    "size_class",
                ],
                name="referral_stats_by_place",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=[
                    "sent_month",
                    "first_contact_days",
                    "status",
                    "size_class",
                    "mission_locale",
                    "centre",
                ],
                name="referral_stats_by_month",
            ),
        ),
    ]
