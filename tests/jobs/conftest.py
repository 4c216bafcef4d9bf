"""A Redis server for the job-queue tests: TEST_REDIS_URL (scripts/redis.sh) when set, else a
throw-away redis-server on a free port for this test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bb-redis-") as folder:
        process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--dir", folder,
                                    "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        try:
            from redis import Redis

            client = Redis(port=port, socket_connect_timeout=0.2)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except Exception:  # not up yet
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
