"""``/healthz``: the process answers (no database access). ``/readyz``: the database answers and
its schema is at the migrations' head revision (else 503); whether the shared rate-limit storage
answers is reported too, but does not make the instance unready (rate limits then degrade to
per-process counting).

Both are for probes, not people: plain text / JSON, never an HTML error page or a stack trace,
no rate limits, no CSRF (GET only). Details of a failure go to the log, not to the response.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from limits.storage import Storage, storage_from_string

from burgerbegroting.core import outages
from burgerbegroting.extensions import csrf, db, limiter

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain", headers=NO_STORE)


@bp.get("/readyz")
def readyz() -> Response:
    checks: dict[str, str] = {}
    checks["database"], checks["migrations"] = _database()
    checks["rate_limit_storage"] = _rate_limit_storage()
    # Without Redis the app keeps serving and voting, with rate limits counted per process
    # (core/outages.py): report it, but stay ready. Taking every instance out of the load
    # balancer because Redis is down would turn a degraded service into an outage.
    ready = all(checks[name] in ("ok", "skipped") for name in ("database", "migrations"))
    response = jsonify(checks)
    response.status_code = 200 if ready else 503
    response.headers.update(NO_STORE)
    return response


@functools.lru_cache(maxsize=8)
def _heads_in(directory: str) -> frozenset[str]:
    return frozenset(ScriptDirectory(directory).get_heads())


def head_revisions() -> frozenset[str]:
    """The head revision(s) of the migrations folder (read once per process)."""
    return _heads_in(str(current_app.extensions["migrate"].directory))


def _database() -> tuple[str, str]:
    """(database, migrations): "ok", or what is wrong."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        current = frozenset(MigrationContext.configure(db.session.connection()).get_current_heads())
    except Exception as exc:  # any failure means "not ready", never a 500
        current_app.logger.warning("readyz: database unreachable: %s", type(exc).__name__)
        return "unreachable", "unknown"
    finally:
        _rollback()
    try:
        heads = head_revisions()
    except Exception as exc:
        current_app.logger.warning("readyz: cannot read the migrations folder: %s", type(exc).__name__)
        return "ok", "unknown"
    if current != heads:
        current_app.logger.warning("readyz: database schema at %s, code expects %s (run `flask db upgrade`)",
                                   sorted(current) or "nothing", sorted(heads))
        return "ok", "outdated"
    return "ok", "ok"


def _rollback() -> None:
    with contextlib.suppress(Exception):  # the connection is gone: nothing left to roll back
        db.session.rollback()


def _storage(uri: str) -> Storage:
    """One storage client per URI per process (keeps its connection pool between probes)."""
    cache: dict[str, Storage] = current_app.extensions.setdefault("health_storage", {})
    if uri not in cache:
        options: dict[str, Any] = dict(current_app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        if outages.is_redis(uri):
            for key, value in outages.redis_options(float(current_app.config["RATELIMIT_STORAGE_TIMEOUT"])).items():
                options.setdefault(key, value)
        storage = storage_from_string(uri, **options)
        if not isinstance(storage, Storage):  # Flask-Limiter uses synchronous storage only
            raise TypeError(f"not a synchronous rate-limit storage: {uri.split('://')[0]}")
        cache[uri] = storage
    return cache[uri]


def _rate_limit_storage() -> str:
    """The rate-limit counters are shared between app servers: their storage must answer.
    ``memory://`` lives in this process, so there is nothing to check."""
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith("memory://"):
        return "skipped"
    try:
        ok = _storage(uri).check()
    except Exception as exc:
        current_app.logger.warning("readyz: rate-limit storage unreachable: %s", type(exc).__name__)
        return "unreachable"
    if not ok:
        current_app.logger.warning("readyz: rate-limit storage unreachable")
        return "unreachable"
    return "ok"
