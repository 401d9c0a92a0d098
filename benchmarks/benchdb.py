"""A throwaway database for a benchmark script: fresh SQLite file or PostgreSQL database, Django set up.

    import benchdb
    url = benchdb.configure("postgresql", name="cases_bench")   # or "sqlite"
    ...
    benchdb.drop("postgresql", name="cases_bench")

SQLite: ``var/bench/<name>.sqlite3``; PostgreSQL: database ``gongzhi_<name>`` on 127.0.0.1:5432 as user
postgres (the CI machine's local server, trust auth). Keys are fixed bench-only values.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _sqlite_path(name: str) -> Path:
    return BENCH_DIR / f"{name}.sqlite3"


def _remove_sqlite(name: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{_sqlite_path(name)}{suffix}").unlink(missing_ok=True)


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def configure(db: str, *, name: str, fresh: bool = True) -> str:
    """Create an empty database for ``db`` ("sqlite" or "postgresql"), point Django at it, set Django up.

    ``fresh=False`` (SQLite only) keeps the file a previous run left instead.
    """
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        if fresh:
            _remove_sqlite(name)
        url = f"sqlite:///{_sqlite_path(name)}"
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS gongzhi_{name} WITH (FORCE)", f"CREATE DATABASE gongzhi_{name}")
        url = f"postgresql://postgres@127.0.0.1:5432/gongzhi_{name}"
    os.environ.update(
        {
            "GONGZHI_DATABASE_URL": url,
            "GONGZHI_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
            "GONGZHI_DATA_KEY": "bench-data-key-not-for-production-0123456789",
            "GONGZHI_VAR_DIR": str(BENCH_DIR),
            "GONGZHI_ACCESS_LOG": str(BENCH_DIR / "access.log"),
            "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        }
    )
    for variable in ("GONGZHI_TESTING", "GONGZHI_DEBUG", "GONGZHI_REDIS_URL"):
        os.environ.pop(variable, None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    return url


def drop(db: str, *, name: str) -> None:
    """Remove the database ``configure`` made (closing Django's connections first)."""
    from django.db import connections

    connections.close_all()
    if db == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS gongzhi_{name} WITH (FORCE)")
    else:
        _remove_sqlite(name)
