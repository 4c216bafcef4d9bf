"""Configuration, in one place.

Every value comes from an environment variable with a safe development default. No other
module reads ``os.environ``; code reads ``current_app.config`` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    # Development defaults; ProductionConfig refuses to run with them.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # Key for HMACs of voting codes and receipts (separate from the session key so the
    # session key can be rotated without invalidating printed voting codes).
    HMAC_KEY = os.environ.get("HMAC_KEY", "dev-only-hmac-key")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'demo.db'}")
    )
    # No pool_pre_ping (a SELECT 1 round trip per request): core/dbpool.py checks a pooled
    # PostgreSQL connection's socket before use instead, and pings only connections idle for
    # longer than DB_IDLE_PING_SECONDS. Either way the app recovers after a database restart.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    # PostgreSQL connections kept per worker process (the engine's pool_size, set in app.py):
    # at least gunicorn's threads per worker, or requests open and close extra connections.
    DB_POOL_SIZE = _int("DB_POOL_SIZE", 10)
    DB_IDLE_PING_SECONDS = _int("DB_IDLE_PING_SECONDS", 30)
    # PostgreSQL only (see core/outages.py): seconds to wait for a new connection to the
    # server, and for a free connection in the pool, before the request fails with a 503.
    DATABASE_CONNECT_TIMEOUT = _int("DATABASE_CONNECT_TIMEOUT", 3)
    DATABASE_POOL_TIMEOUT = _int("DATABASE_POOL_TIMEOUT", 10)
    # Retry-After (seconds) on the 503 page shown when the database is unavailable.
    DATABASE_RETRY_AFTER = _int("DATABASE_RETRY_AFTER", 5)

    # The municipality's identity and look.
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Gemeente Voorbeeldland")
    MUNICIPALITY_LOGO_URL = os.environ.get("MUNICIPALITY_LOGO_URL", "")
    MUNICIPALITY_COLOUR = os.environ.get("MUNICIPALITY_COLOUR", "#1d4f91")
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "burgerbegroting@example.org")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")

    # Languages: Dutch is the default.
    LANGUAGES = ("nl", "en")
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "burgerbegroting" / "translations")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_SECONDS", 8 * 3600)

    # Request size limits: a page never needs more, uploads have their own limits.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 512 * 1024)

    WTF_CSRF_TIME_LIMIT = _int("CSRF_TIME_LIMIT_SECONDS", 8 * 3600)

    # Rate limits (Flask-Limiter). memory:// per process; set a redis:// URL in production.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10 per hour")
    # Refused voting codes (and receipt look-ups) per IP address; accepted codes do not count.
    VOTE_CODE_RATE_LIMIT = os.environ.get("VOTE_CODE_RATE_LIMIT", "10 per 10 minutes")
    # When the shared storage (Redis) is unreachable, count in this process instead and keep
    # serving; Flask-Limiter checks the storage again from time to time and switches back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Seconds to wait for Redis (connect and each command) before falling back.
    RATELIMIT_STORAGE_TIMEOUT = float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT") or 0.5)

    # Days after the end of voting before ``flask voters purge-register`` deletes a round's
    # uploaded register (names and addresses).
    REGISTER_RETENTION_DAYS = _int("REGISTER_RETENTION_DAYS", 30)

    # Staff two-factor login (TOTP). Off in the demo so the demo accounts work directly.
    REQUIRE_STAFF_2FA = _bool("REQUIRE_STAFF_2FA", False)

    # Mail: "log" prints mails to the log, "smtp" sends them, "memory" keeps them (tests).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@example.org")

    # How long e-mail links stay valid.
    CONFIRM_TOKEN_MAX_AGE = _int("CONFIRM_TOKEN_MAX_AGE", 7 * 24 * 3600)
    RESET_TOKEN_MAX_AGE = _int("RESET_TOKEN_MAX_AGE", 3600)

    # The map on proposals (Leaflet). An empty tile URL means no map: residents enter an
    # address. Example: https://tile.openstreetmap.org/{z}/{x}/{y}.png (mind the tile
    # server's usage policy); the CSP allows images from its origin.
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
    MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "© OpenStreetMap")
    MAP_CENTER = os.environ.get("MAP_CENTER", "52.09,5.12")  # latitude,longitude
    MAP_ZOOM = _int("MAP_ZOOM", 13)

    # Reverse proxy: how many proxies set X-Forwarded-* (0 = trust none).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 0)

    # Background jobs (RQ on Redis). Empty: jobs run at once inside the request (demo).
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL", "")
    JOB_QUEUE_NAME = os.environ.get("JOB_QUEUE_NAME", "burgerbegroting")
    JOB_TIMEOUT_SECONDS = _int("JOB_TIMEOUT_SECONDS", 3600)
    # A finished letters PDF holds plain voting codes: deleted this many hours after the job.
    JOB_RESULT_HOURS = _int("JOB_RESULT_HOURS", 24)
    # The worker's own housekeeping (jobs/housekeeping.py): shuffling the ballot table while a
    # round votes or counts, deleting old job results; every N minutes, waiting at most
    # HOUSEKEEPING_LOCK_SECONDS for the ballot table.
    HOUSEKEEPING_MINUTES = _int("HOUSEKEEPING_MINUTES", 60)
    HOUSEKEEPING_LOCK_SECONDS = _int("HOUSEKEEPING_LOCK_SECONDS", 3)
    MAX_LETTERS_PER_JOB = _int("MAX_LETTERS_PER_JOB", 10_000)

    # Logs on stderr: "json" (one object per line) or "text"; see docs/operations.md.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()

    # Prometheus metrics on /metrics: only from these networks (comma-separated), or with
    # "Authorization: Bearer <METRICS_TOKEN>". prometheus-client itself reads
    # PROMETHEUS_MULTIPROC_DIR (several gunicorn workers); it is repeated here to be seen.
    METRICS_ALLOW_FROM = os.environ.get("METRICS_ALLOW_FROM", "127.0.0.1/32,::1/128")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

    # Static files: hashed names cached for a year (see burgerbegroting/core/assets.py); the
    # plain names are cached this many seconds.
    STATIC_HASHED_NAMES = _bool("STATIC_HASHED_NAMES", True)
    SEND_FILE_MAX_AGE_DEFAULT = _int("STATIC_MAX_AGE_SECONDS", 300)

    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    DEBUG = _bool("FLASK_DEBUG", False)
    # An edited CSS file keeps its hashed name until a restart: plain names while developing.
    STATIC_HASHED_NAMES = _bool("STATIC_HASHED_NAMES", False)


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    MAIL_BACKEND = "memory"
    JOB_QUEUE_URL = ""  # jobs run inline; tests that use RQ set it themselves
    RATELIMIT_ENABLED = False
    SECRET_KEY = "testing-secret"  # noqa: S105  (tests only)
    HMAC_KEY = "testing-hmac"
    # Hash cheaply in tests; production uses argon2id's recommended parameters.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REQUIRE_STAFF_2FA = _bool("REQUIRE_STAFF_2FA", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @staticmethod
    def check(config: dict) -> None:
        """Refuse to start with development secrets or without a real database."""
        missing = [
            name
            for name in ("SECRET_KEY", "HMAC_KEY", "DATABASE_URL")
            if not os.environ.get(name)
        ]
        if missing:
            raise RuntimeError(
                "Production configuration needs these environment variables: "
                + ", ".join(missing)
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_name_from_env() -> str:
    return os.environ.get("BURGERBEGROTING_CONFIG", "development")
