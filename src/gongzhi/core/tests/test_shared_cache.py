"""The cache is shared by the worker processes: an attempt counted in one is seen by the next.

Each worker process of ``gongzhi serve`` used Django's default per-process memory cache, so the public
lookup's limit (10 attempts per case number an hour) allowed 10 per worker. These tests count in one
process and read in another, with the file cache of a single machine and with Redis.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid

import pytest

from gongzhi.core.testing import command_env

COUNT = (
    "from django.core.cache import cache; from gongzhi.cases.forms import lookup_allowed; "
    "[lookup_allowed(client='198.51.100.7', number='{number}') for _ in range({times})]; "
    "print(cache.get('cases:lookup:number:{number}'))"
)


def _count_in_new_process(env: dict, number: str, times: int) -> int:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongzhi",
            "shell",
            "--no-imports",
            "-c",
            COUNT.format(number=number, times=times),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.strip().splitlines()[-1])


def test_two_processes_share_the_lookup_counter_in_the_file_cache(tmp_path):
    env = command_env(tmp_path)
    number = f"GZ{uuid.uuid4().hex[:12].upper()}"
    assert _count_in_new_process(env, number, 6) == 6
    assert _count_in_new_process(env, number, 6) == 12  # the second worker sees the first one's attempts
    assert (tmp_path / "var" / "cache").is_dir()


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_the_lookup_counter_in_redis(tmp_path):
    env = command_env(tmp_path, GONGZHI_REDIS_URL="redis://127.0.0.1:6379/15")
    number = f"GZ{uuid.uuid4().hex[:12].upper()}"
    assert _count_in_new_process(env, number, 4) == 4
    assert _count_in_new_process(env, number, 4) == 8
    assert not (tmp_path / "var" / "cache").exists()  # nothing on disk: the counters live in Redis
