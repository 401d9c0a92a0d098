"""``gongzhi export-openapi FILE``: write the OpenAPI document (committed as docs/api/openapi.json)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand


def openapi_text() -> str:
    from gongzhi.core.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema of /api/v1 to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        with open(options["file"], "w", encoding="utf-8") as fh:
            fh.write(openapi_text())
        self.stdout.write(f"wrote {options['file']}")
