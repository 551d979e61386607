"""Make the audit log append-only in the database itself: no UPDATE, no DELETE."""

from django.db import migrations

from tremplin.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [append_only("core_auditevent", "audit log")]
