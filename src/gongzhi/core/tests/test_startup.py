"""The ``gongzhi`` command starts in any working directory (an IT person runs it from /opt, not the repo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_gongzhi_check_runs_in_an_empty_directory(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GONGZHI_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env["GONGZHI_DEBUG"] = "1"
    env["GONGZHI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"  # nothing else makes var/

    result = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert (Path(tmp_path) / "var").is_dir()  # created for the SQLite job queue
