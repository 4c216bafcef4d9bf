"""Fixtures for tests that need real servers (Redis, extra PostgreSQL databases, gunicorn)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from burgerbegroting.extensions import db, limiter
from tests.operations.servers import RedisServer


def new_redis() -> RedisServer:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return RedisServer()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of this test alone, which it may stop and start again."""
    server = new_redis().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def ordinary_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``db.session`` is bound to the test's rolled-back connection by tests/conftest.py; tests
    that work on databases of their own get an ordinary session (each app's own engine) again."""
    session = db._make_scoped_session({})
    monkeypatch.setattr(db, "session", session)
    try:
        yield
    finally:
        session.remove()


@pytest.fixture
def limiter_state() -> Iterator[None]:
    """Apps made in a test re-initialise the one ``limiter``: put back what later tests expect."""
    was_enabled = limiter.enabled
    try:
        yield
    finally:
        limiter._storage_dead = False  # type: ignore[attr-defined]  (see core/outages.py)
        limiter.enabled = was_enabled
