"""``gongzhi refresh_statistics``: update the query planner's statistics now (SQLite ``ANALYZE``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Update the database's query statistics now (SQLite ANALYZE; PostgreSQL's autovacuum does it)."

    def handle(self, *args, **options):
        from gongzhi.core.maintenance import refresh_planner_statistics

        result = refresh_planner_statistics()
        if result["analyzed"]:
            self.stdout.write(f"Statistics updated in {result['seconds']} s.")
        else:
            self.stdout.write(f"Nothing to do on {result['engine']}: autovacuum keeps its statistics.")
