"""Fewer indexes to write: each case insert and each status change writes a new entry into every index of
the case table (28 on PostgreSQL before this migration, keys included), and each timeline step into every
index of the step table (13). Dropped: single-column indexes whose column starts a composite index that
serves the same queries (category and department on cases and steps), the channel and action indexes (the
lists filter them on the composite indexes' rows), PostgreSQL's pattern (``LIKE``) copies of status,
channel, action and the phone blind index (only ever compared for equality: the phone and status indexes
are recreated without them), and ``case_step_action_at_idx`` (``case_step_rates_idx`` starts with the
same two columns).

The field changes are state only: the database side drops exactly the indexes found on the column, so
SQLite does not rebuild the case table (a copy of every row) for each altered field. Reversible.
"""

import copy

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model, field) whose own single-column indexes (and PostgreSQL ``_like`` twins) go
SINGLE_COLUMN = [
    ("case", "category"),
    ("case", "channel"),
    ("case", "department"),
    ("case", "reporter_phone_index"),
    ("case", "status"),
    ("casestep", "action"),
    ("casestep", "department"),
]


def _own_indexes(schema_editor, model, column: str) -> list[str]:
    named = {index.name for index in model._meta.indexes}
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
        and name not in named
    )


def drop_indexes(apps, schema_editor):
    for model_name, field_name in SINGLE_COLUMN:
        model = apps.get_model("cases", model_name)
        column = model._meta.get_field(field_name).column
        for name in _own_indexes(schema_editor, model, column):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore_indexes(apps, schema_editor):
    for model_name, field_name in SINGLE_COLUMN:
        model = apps.get_model("cases", model_name)
        field = copy.copy(model._meta.get_field(field_name))
        field.db_index = True  # the state here is this migration's: the pattern index needs the flag
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        like = getattr(schema_editor, "_create_like_index_sql", None)
        statement = like(model, field) if like else None
        if statement is not None:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0004_list_filter_columns"),
        ("regions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="casestep", name="case_step_action_at_idx"),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="cases.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="channel",
                    field=models.CharField(
                        choices=[
                            ("hotline", "12345 hotline"),
                            ("web", "Website"),
                            ("mobile", "Mobile H5"),
                            ("patrol", "Grid patrol"),
                            ("walk_in", "Walk-in"),
                            ("enforcement", "Enforcement push"),
                            ("api", "API"),
                            ("open311", "Open311"),
                            ("proactive", "Proactive governance"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_cases",
                        to="accounts.department",
                        verbose_name="lead department",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="reporter_phone_index",
                    field=models.CharField(
                        blank=True, default="", max_length=64, verbose_name="reporter phone blind index"
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("pending_accept", "Pending acceptance"),
                            ("pending_dispatch", "Pending dispatch"),
                            ("pending_sign", "Pending sign-off"),
                            ("processing", "Processing"),
                            ("pending_review", "Pending review"),
                            ("pending_follow_up", "Pending follow-up"),
                            ("closed", "Closed"),
                            ("rejected", "Rejected"),
                            ("withdrawn", "Withdrawn"),
                            ("merged", "Merged"),
                        ],
                        default="pending_accept",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="action",
                    field=models.CharField(max_length=30, verbose_name="action"),
                ),
                migrations.AlterField(
                    model_name="casestep",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.department",
                        verbose_name="department concerned",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["reporter_phone_index"], name="case_phone_index_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["status"], name="case_status_idx"),
        ),
    ]
