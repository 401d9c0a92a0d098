"""A timeline step records the place a street, community or grid worker acted for (``actor_unit``).

The timeline showed the unit of department staff only: a street dispatcher's step read "刘洋 · 街道派单员"
without the street. The column has a database default (``''``), so adding it rewrites no rows and bulk
loaders that do not name it still work; older steps keep it empty (where someone worked then is not
known). Reversing drops the column.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_calendar_day_normal_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="casestep",
            name="actor_unit",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="For staff who work for a place rather than a department (street, community or grid staff): the name of that place when they acted.",
                max_length=100,
                verbose_name="actor's place of work",
            ),
        ),
    ]
