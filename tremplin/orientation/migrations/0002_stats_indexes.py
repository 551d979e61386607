# The figures of the orientation (stats.py): the delay to the first contact in whole days and
# the local month of sending, kept with each referral, and two covering indexes read in
# GROUP BY order.

import datetime
from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    """A few UPDATE statements whatever the number of referrals: one per month for the month,
    and per delay (by chunks of ids) for the delay."""
    Referral = apps.get_model("orientation", "Referral")
    first = Referral.objects.order_by("sent_at").values_list("sent_at", flat=True).first()
    last = Referral.objects.order_by("-sent_at").values_list("sent_at", flat=True).first()
    if first is None or last is None:
        return
    month = timezone.localtime(first).date().replace(day=1)
    while month <= timezone.localtime(last).date():
        after = (month + datetime.timedelta(days=32)).replace(day=1)
        Referral.objects.filter(
            sent_at__gte=timezone.make_aware(datetime.datetime.combine(month, datetime.time.min)),
            sent_at__lt=timezone.make_aware(datetime.datetime.combine(after, datetime.time.min)),
        ).update(sent_month=month)
        month = after
    by_delay = defaultdict(list)
    rows = Referral.objects.filter(first_contact_at__isnull=False).values_list(
        "pk", "sent_at", "first_contact_at"
    )
    for pk, sent_at, contact in rows.iterator():
        by_delay[max(0, int((contact - sent_at).total_seconds() // 86400))].append(pk)
    for days, ids in by_delay.items():
        for start in range(0, len(ids), 5000):
            Referral.objects.filter(pk__in=ids[start : start + 5000]).update(
                first_contact_days=days
            )
    if schema_editor.connection.vendor == "postgresql":
        # The updates left deferred foreign-key checks pending: run them now, or PostgreSQL
        # refuses the ALTER TABLE below in the same transaction ("pending trigger events").
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
