from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0002_measurement_confirmed_unusual"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionstate",
            name="version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
