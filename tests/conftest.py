"""Shared fixtures: the app, a database rolled back after every test, a client, factories.

With TEST_DATABASE_URL (set by scripts/test.sh) the tests run on a real PostgreSQL server;
without it they run on in-memory SQLite. Either way the schema comes from the migrations.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FSASession
from sqlalchemy.pool import StaticPool

from burgerbegroting.app import create_app
from burgerbegroting.extensions import db

DEMO_PASSWORD = "demo-wachtwoord"
PASSWORD = "correct horse battery"


class ConnectionBoundSession(FSASession):
    """A session that uses the test's connection (Flask-SQLAlchemy's own ignores ``bind``)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[no-untyped-def]
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _sqlite_real_transactions(engine: sa.Engine) -> None:
    """pysqlite only sends BEGIN before DML, so a SAVEPOINT opened first becomes the outer
    transaction and its RELEASE commits for good: data leaked from test to test. Let
    SQLAlchemy send BEGIN itself (the recipe in SQLAlchemy's SQLite dialect docs)."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


class OwnContextClient(FlaskClient):
    """Each request gets its own app context, hence its own ``g`` and database session, as
    in production. Flask reuses an app context that is already pushed (the test's, from
    ``_db``), and then ``g`` carried the logged-in user and the CSRF token from request to
    request: logging out, a changed session version and CSRF after login were not tested."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        outer = _cv_app.set(None)  # type: ignore[arg-type]
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(outer)


def _is_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    overrides: dict[str, object] = {}
    if not _is_postgres():
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "poolclass": StaticPool,
            "connect_args": {"check_same_thread": False},
        }
    app = create_app("testing", **overrides)
    app.test_client_class = OwnContextClient
    with app.app_context():
        if not _is_postgres():
            _sqlite_real_transactions(db.engine)
        # The schema comes from the migrations on both databases, so the tests exercise
        # them (and the rule-lock triggers they create).
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def rolled_back_session() -> Iterator[None]:
    """Inside an app context: bind ``db.session`` to one connection whose transaction is rolled
    back at the end; commits in the code under test only release savepoints."""
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(  # type: ignore[method-assign,assignment]
        {"class_": ConnectionBoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original  # type: ignore[method-assign]
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _db(app: Flask) -> Iterator[None]:
    """Every test runs in a transaction that is rolled back afterwards."""
    from burgerbegroting.core import mail

    with app.app_context(), rolled_back_session():
        mail.outbox.clear()
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)


def get_csrf(client: FlaskClient, url: str = "/login") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def make_user(email: str, roles: tuple[str, ...] = ("resident",), password: str = PASSWORD,
              name: str = "Test Persoon", confirmed: bool = True):  # type: ignore[no-untyped-def]
    from burgerbegroting.auth.models import User, UserRole
    from burgerbegroting.auth.passwords import hash_password
    from burgerbegroting.core.timeutil import utcnow

    user = User(email=email, name=name, password_hash=hash_password(password),
                email_confirmed_at=utcnow() if confirmed else None)
    user.roles.extend(UserRole(role=r) for r in roles)
    db.session.add(user)
    db.session.commit()
    return user


def login(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = get_csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def user_factory(app: Flask):  # type: ignore[no-untyped-def]
    return make_user


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """TEST_REDIS_URL (scripts/test.sh starts one), else a redis-server of our own on a random port."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    from bench.faults import RedisServer

    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.close()
