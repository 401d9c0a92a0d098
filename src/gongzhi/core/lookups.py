"""``prefix`` lookup: index-friendly, case-sensitive string prefix match on SQLite and PostgreSQL.

SQLite uses ``GLOB 'p*'`` (the B-tree index on a BINARY column serves it); PostgreSQL uses
``LIKE 'p%'`` (served by the ``varchar_pattern_ops`` index Django adds to indexed CharFields).
Only used for region paths, whose characters are restricted to ``[0-9A-Za-z/]``.
"""

from __future__ import annotations

import re

from django.db import models
from django.db.models import Lookup

_SAFE = re.compile(r"^[0-9A-Za-z/]*$")


@models.CharField.register_lookup
class Prefix(Lookup):
    lookup_name = "prefix"
    prepare_rhs = False

    def get_rhs_op(self, connection, rhs):  # pragma: no cover - not used
        return rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        value = self.rhs
        if not isinstance(value, str) or not _SAFE.match(value):
            raise ValueError("prefix lookup only accepts region paths")
        if connection.vendor == "sqlite":
            return f"{lhs} GLOB %s", [*lhs_params, value + "*"]
        if connection.vendor == "postgresql":
            return f"{lhs} LIKE %s", [*lhs_params, value + "%"]
        return f"{lhs} LIKE %s", [*lhs_params, value + "%"]
