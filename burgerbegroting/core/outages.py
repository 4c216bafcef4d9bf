"""Keep serving when PostgreSQL or Redis is down, and come back by itself.

* PostgreSQL: a connect time-out and a pool time-out, so a request (and ``/readyz``) fails fast
  with a 503 instead of hanging; ``core/dbpool.py`` replaces pooled connections that died
  with a restarted server (a socket check, no round trip per request). The 503 page itself is in ``core/errors.py``.
* Redis (shared rate-limit counters): short socket time-outs and no client-side retries, so a
  dead Redis costs one fast failure; Flask-Limiter then counts in this process (its in-memory
  fallback, ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``) and checks Redis again from time to time.
  The switch to and from in-process counting is logged once per process.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Response

from burgerbegroting.extensions import limiter


def is_postgresql(uri: str) -> bool:
    return uri.startswith("postgresql")


def is_redis(uri: str) -> bool:
    return uri.split("://", 1)[0] in {"redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster"}


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """SQLALCHEMY_ENGINE_OPTIONS with the PostgreSQL time-outs added (settings given explicitly win)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if is_postgresql(str(config.get("SQLALCHEMY_DATABASE_URI") or "")):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config["DATABASE_CONNECT_TIMEOUT"]))
        options["connect_args"] = connect_args
        options.setdefault("pool_timeout", int(config["DATABASE_POOL_TIMEOUT"]))
        options.setdefault("pool_size", int(config["DB_POOL_SIZE"]))
    return options


def redis_options(timeout: float) -> dict[str, Any]:
    """Client options for a Redis rate-limit storage: fail within ``timeout``, no retries (the
    redis client retries ten times with back-off by default, seconds per request)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


def storage_options(config: dict[str, Any]) -> dict[str, Any]:
    """RATELIMIT_STORAGE_OPTIONS for the configured storage (settings given explicitly win)."""
    options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if is_redis(str(config.get("RATELIMIT_STORAGE_URI") or "")):
        for key, value in redis_options(float(config["RATELIMIT_STORAGE_TIMEOUT"])).items():
            options.setdefault(key, value)
    return options


def prepare(app: Flask) -> None:
    """Before the extensions are initialised: add the time-outs to their options."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = storage_options(app.config)


def rate_limits_degraded() -> bool:
    """True while Flask-Limiter counts in this process because its storage is unreachable."""
    return bool(getattr(limiter, "_storage_dead", False))


def init_app(app: Flask) -> None:
    """Log once per process when rate limiting switches to in-process counting and back."""
    state = {"degraded": False}
    lock = threading.Lock()

    @app.after_request
    def _note_rate_limit_storage(response: Response) -> Response:
        degraded = rate_limits_degraded()
        if degraded == state["degraded"]:
            return response
        with lock:
            if degraded == state["degraded"]:
                return response
            state["degraded"] = degraded
        if degraded:
            app.logger.warning("Rate-limit storage unreachable: rate limits are counted in this process "
                               "(not shared with other processes) until it is back")
        else:
            app.logger.warning("Rate-limit storage reachable again: rate limits are shared again")
        return response
