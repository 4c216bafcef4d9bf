"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Every value can be set from the environment (see docs/operations.md). The access log goes to
stdout and never holds a query string, a referrer or a token from a URL path: a QR code's link
is /stemmen?code=..., and e-mail links carry tokens in /confirm/<token> and
/password/reset/<token>.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn import glogging


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# One worker process per core (at least 2, so one crashing worker never takes the site down),
# each with threads: a request spends much of its time waiting for PostgreSQL, and a thread
# waiting for the database lets another one run, so a few threads per process keep the cores
# busy without the memory and connections of many processes. Sync workers (one request per
# process at a time) need many more processes for the same rate and do no keep-alive: measured
# with bench/load_vote.py on 2 shared cores (load ~8), 3 sync workers cast 72 ballots/s where
# 2 workers with 4 or 8 threads cast 160-197/s. Keep the database pool (DB_POOL_SIZE) at least
# as large as the threads.
workers = _int("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count()))
threads = _int("GUNICORN_THREADS", 8)
worker_class = "gthread"
timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)  # time to finish requests on restart
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)  # 0 = never recycle workers
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)
# Each worker builds its own app (and so its own database connection pool) after the fork.
preload_app = False
# Addresses of the reverse proxies whose X-Forwarded-* headers gunicorn trusts.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # stdout; empty: none (the app logs requests)
errorlog = "-"  # stderr
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The path only (%(U)s), no query string (%(q)s), no request line (%(r)s), no referrer (%(f)s).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

_TOKEN_PATHS = re.compile(r"^(/confirm|/password/reset)/[^/]+")
_LONG_SEGMENT = re.compile(r"(?<=/)[^/]{33,}")  # signed tokens are long; slugs and ids are not


def scrub_path(path: str) -> str:
    """The request path without tokens."""
    path = _TOKEN_PATHS.sub(r"\1/[token]", path)
    return _LONG_SEGMENT.sub("[redacted]", path)


class SafeLogger(glogging.Logger):
    """Also keeps secrets out when someone changes ``access_log_format``: query string, request
    line and referrer are blanked and tokens are cut from the path."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        path = scrub_path(atoms.get("U", ""))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["f"] = "-"
        atoms["r"] = f"{atoms.get('m', '-')} {path} {atoms.get('H', '-')}"
        return atoms


logger_class = SafeLogger


# Prometheus metrics of all workers together (docs/operations.md, "Metrics"): the directory
# starts empty, and the files of a worker that stopped are merged into the totals.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):  # type: ignore[no-untyped-def]
    if _metrics_dir:
        os.makedirs(_metrics_dir, exist_ok=True)
        for name in os.listdir(_metrics_dir):
            if name.endswith(".db"):
                os.remove(os.path.join(_metrics_dir, name))


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, _metrics_dir)
