"""/healthz and /readyz: what a load balancer or orchestrator sees."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from burgerbegroting.extensions import db, limiter
from burgerbegroting.health import views as health

BOGUS_URLS = [
    "postgresql+psycopg://nobody@127.0.0.1:1/x",  # nothing listens on port 1
    f"sqlite:///{Path('/nonexistent-dir-for-readyz') / 'x.db'}",  # the directory does not exist
]


@pytest.fixture(params=BOGUS_URLS, ids=["postgresql", "sqlite"])
def unreachable_app(request, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """An app whose database cannot be reached. ``db.session`` is bound to the test's
    connection by tests/conftest.py; here it gets an ordinary session again, which uses the
    app's own (unreachable) engine."""
    from burgerbegroting.app import create_app

    was_enabled = limiter.enabled
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=request.param)
    broken.test_client_class = app.test_client_class
    session = db._make_scoped_session({})
    monkeypatch.setattr(db, "session", session)
    try:
        yield broken
    finally:
        session.remove()
        with broken.app_context():
            db.engine.dispose()
        limiter.enabled = was_enabled


def test_healthz_says_ok(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_on_a_migrated_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"database": "ok", "migrations": "ok", "rate_limit_storage": "skipped"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_does_not_need_the_database(unreachable_app: Flask) -> None:
    response = unreachable_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True).strip() == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(unreachable_app: Flask, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        response = unreachable_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.is_json  # JSON for the probe, no error page, no stack trace
    body = response.get_json()
    assert body["database"] == "unreachable"
    assert body["migrations"] == "unknown"
    assert "Traceback" not in response.get_data(as_text=True)
    assert "readyz: database unreachable" in caplog.text


def test_readyz_is_503_when_the_schema_is_behind(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "head_revisions", lambda: frozenset({"9999_a_newer_migration"}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"database": "ok", "migrations": "outdated", "rate_limit_storage": "skipped"}


def test_head_revisions_are_the_newest_migration(app: Flask) -> None:
    versions = Path(app.extensions["migrate"].directory) / "versions"
    newest = sorted(p.name for p in versions.glob("[0-9]*.py"))[-1]
    with app.app_context():
        heads = health.head_revisions()
    assert len(heads) == 1
    assert newest.startswith(next(iter(heads)))


def test_readyz_reports_redis_unreachable_but_stays_ready(app: Flask, client, monkeypatch: pytest.MonkeyPatch,
                                                          caplog) -> None:  # type: ignore[no-untyped-def]
    """Without Redis the app serves and votes with per-process rate limits (core/outages.py):
    a load balancer must not take every instance out because of it."""
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "migrations": "ok", "rate_limit_storage": "unreachable"}
    assert "readyz: rate-limit storage unreachable" in caplog.text


def test_readyz_checks_a_non_memory_storage(app: Flask, client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A storage that answers its check is "ok" (the real redis client is covered above)."""

    class Answering:
        def check(self) -> bool:
            return True

    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://redis.example:6379/0")
    monkeypatch.setattr(health, "_storage", lambda uri: Answering())
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["rate_limit_storage"] == "ok"


def test_health_routes_are_not_rate_limited(app: Flask) -> None:
    """Probes come every few seconds from one address: a default limit must not apply to them."""
    from burgerbegroting.app import create_app

    was_enabled, defaults = limiter.enabled, list(limiter.limit_manager._default_limits)
    limited = create_app("testing", RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute",
                         SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    limited.test_client_class = app.test_client_class
    limiter.reset()
    try:
        client = limited.test_client()
        assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
        assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
        assert client.get("/privacy").status_code == 200
        assert client.get("/privacy").status_code == 200
        assert client.get("/privacy").status_code == 429  # the default limit is really on
    finally:
        # Flask-Limiter keeps default limits on the one ``limiter`` object: later apps must not inherit them.
        limiter.limit_manager.set_default_limits(defaults)
        limiter.reset()
        limiter.enabled = was_enabled
