"""A working-calendar row may be ``normal``: a day an administrator set back to its weekday's rule.

Before, making a seeded holiday a normal day deleted its row, so the next seeding of the year added the
holiday again. Now the service stores a ``normal`` row set by hand, which seeding never touches. The
field change is choices only (no schema change). Reversing deletes the ``normal`` rows, which gives the
old meaning (no row = the weekday's rule).
"""

from django.db import migrations, models


def drop_normal_rows(apps, schema_editor):
    apps.get_model("cases", "CalendarDay").objects.filter(kind="normal").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_fewer_write_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, drop_normal_rows),
        migrations.AlterField(
            model_name="calendarday",
            name="kind",
            field=models.CharField(
                choices=[
                    ("holiday", "Holiday"),
                    ("makeup_workday", "Make-up working day"),
                    ("normal", "Normal day (set by hand)"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
