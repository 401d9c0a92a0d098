"""Indexes for the case list (``selectors.filter_cases``): the department and category filters get an
index that also yields the list order (newest ``received_at`` first), so a page of a selective filter is
read without walking the whole ``received_at`` index; (department, status) grows into
(department, status, received_at) and still serves the department inbox.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_add_case_step_rates_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_department_status_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["department", "status", "received_at"], name="case_dept_status_received_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["department", "received_at"], name="case_dept_received_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["category", "received_at"], name="case_category_received_idx"),
        ),
    ]
