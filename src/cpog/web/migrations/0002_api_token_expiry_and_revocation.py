"""API tokens get an expiry date and a revocation (decision 008).

Tokens issued before had no expiry: they are given the default validity from the day of the
migration, so that no script stops working the day cpog is upgraded.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def give_expiry(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cpog import clock

    ApiToken = apps.get_model("web", "ApiToken")
    ApiToken.objects.filter(expires_on__isnull=True).update(
        expires_on=clock.today() + timedelta(days=settings.TOKEN_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_on",
            field=models.DateField(null=True, verbose_name="valable jusqu'au"),
        ),
        migrations.RunPython(give_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_on",
            field=models.DateField(verbose_name="valable jusqu'au"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="révoqué le"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.CharField(blank=True, max_length=150, verbose_name="révoqué par"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="créé le"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dernière utilisation"),
        ),
    ]
