"""core/dbpool.py: a pooled connection the server has closed is replaced before use, without
a SELECT 1 per checkout (what pool_pre_ping did), and a long-idle one is pinged."""

from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa

from burgerbegroting.core import dbpool

URL = os.environ.get("TEST_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(not URL.startswith("postgresql"), reason="needs PostgreSQL")


def _engine(install: bool, idle_ping_seconds: float = 3600) -> tuple[sa.Engine, list[str]]:
    engine = sa.create_engine(URL, pool_size=1, max_overflow=0)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda c, cur, statement, *a: statements.append(statement))
    if install:
        dbpool.install(engine, idle_ping_seconds)
    return engine, statements


def _pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = sa.create_engine(URL, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        for _ in range(100):  # the backend goes away asynchronously
            gone = not conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                    {"pid": pid}).scalar_one()
            if gone:
                break
            time.sleep(0.02)
    admin.dispose()


@needs_postgres
def test_a_terminated_connection_is_replaced_before_use():
    engine, _ = _engine(install=True)
    first = _pid(engine)
    _terminate(first)
    time.sleep(0.05)
    assert _pid(engine) != first  # no error: the dead connection was thrown away at checkout
    engine.dispose()


@needs_postgres
def test_without_the_check_the_dead_connection_fails_the_request():
    """What the check protects against (pool_pre_ping off, nothing installed)."""
    engine, _ = _engine(install=False)
    _terminate(_pid(engine))
    time.sleep(0.05)
    with pytest.raises(sa.exc.OperationalError):
        _pid(engine)
    engine.dispose()


@needs_postgres
def test_no_round_trip_for_a_recently_used_connection_but_a_ping_after_idleness(monkeypatch):
    for idle_ping_seconds, pings_expected in ((3600, 0), (0, 1)):
        engine, statements = _engine(install=True, idle_ping_seconds=idle_ping_seconds)
        pings: list[object] = []
        real_ping = engine.dialect.do_ping

        def counted(conn, pings=pings, real_ping=real_ping):  # type: ignore[no-untyped-def]
            pings.append(conn)
            return real_ping(conn)

        monkeypatch.setattr(engine.dialect, "do_ping", counted)
        _pid(engine)
        statements.clear()
        time.sleep(0.01)
        _pid(engine)
        assert statements == ["SELECT pg_backend_pid()"]
        assert len(pings) == pings_expected
        engine.dispose()


def test_sqlite_is_left_alone():
    engine = sa.create_engine("sqlite://")
    dbpool.install(engine, 0)
    assert len(engine.pool.dispatch.checkout) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    engine.dispose()


def test_pool_size_only_for_postgresql():
    from burgerbegroting.app import create_app
    from burgerbegroting.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", DB_POOL_SIZE=7)
    assert "pool_size" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if URL.startswith("postgresql"):
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=URL, DB_POOL_SIZE=7)
        with app.app_context():
            assert db.engine.pool.size() == 7
            db.engine.dispose()
