"""Case list on SQLite (``selectors.filter_cases``): the status and department list indexes carry the other
filter columns after ``received_at``. SQLite walks them newest first and tests category, status and region
on the index entry, so a filter combination that matches few or no cases no longer reads (and sorts)
tens of thousands of case rows. PostgreSQL uses them as before, with the extra columns as index filters.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_list_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_status_received_idx"),
        migrations.RemoveIndex(model_name="case", name="case_dept_received_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "received_at", "category", "region_path"],
                name="case_status_received_cov_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["department", "received_at", "category", "status", "region_path"],
                name="case_dept_received_cov_idx",
            ),
        ),
    ]
