"""Prometheus metrics (prometheus-client): request latency by endpoint, server errors,
ballots cast, and the number of background jobs waiting.

Under gunicorn each worker is its own process: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory (gunicorn.conf.py empties it at start and cleans up after each worker) and
``/metrics`` adds up every worker's numbers. ``/metrics`` answers only to the networks in
``METRICS_ALLOW_FROM`` or with ``Authorization: Bearer <METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from burgerbegroting.core import signals

REQUEST_LATENCY = Histogram(
    "bb_http_request_duration_seconds", "Time to answer a request, by Flask endpoint (not by path).",
    ["method", "endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SERVER_ERRORS = Counter("bb_http_server_errors_total", "Responses with status 5xx, by endpoint.",
                        ["endpoint", "status"])
BALLOTS_CAST = Counter("bb_ballots_cast_total", "Ballots stored (committed), by channel.", ["channel"])

bp = Blueprint("metrics", __name__)

# Label values come from a fixed set: any other method a client invents is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class QueueCollector:
    """Background jobs waiting for a worker, asked from the database at scrape time (the
    database knows the jobs of every app server and worker)."""

    def collect(self):  # type: ignore[no-untyped-def]
        from burgerbegroting.jobs.queue import queue_depth

        gauge = GaugeMetricFamily("bb_job_queue_depth", "Background jobs waiting for a worker.")
        try:
            gauge.add_metric([], queue_depth())
        except sa.exc.SQLAlchemyError:
            return  # no database: no number rather than a wrong one (/readyz tells why)
        yield gauge


def parse_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """METRICS_ALLOW_FROM: comma-separated addresses or networks. A wrong entry stops the app at
    start with the setting's name, instead of a 500 on every scrape."""
    try:
        return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]
    except ValueError as exc:
        raise RuntimeError(f"METRICS_ALLOW_FROM: {exc}") from None


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return parse_networks(current_app.config["METRICS_ALLOW_FROM"])


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode()):
        return True
    proxied = (any(name in request.headers for name in ("X-Forwarded-For", "X-Real-IP", "Forwarded"))
               and not current_app.config["PROXY_FIX_X_FOR"])
    if proxied:
        # The peer is a reverse proxy whose clients we cannot see: its address proves nothing.
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _networks())


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed():
        abort(403)
    if current_app.config["PROMETHEUS_MULTIPROC_DIR"]:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    extra = CollectorRegistry()
    extra.register(QueueCollector())
    body += generate_latest(extra)
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _observe(response: Response) -> Response:
    started = g.get("request_started")
    endpoint = request.endpoint or "none"
    if started is not None:
        method = request.method if request.method in METHODS else "other"
        REQUEST_LATENCY.labels(method, endpoint).observe(time.perf_counter() - started)
    if response.status_code >= 500:
        SERVER_ERRORS.labels(endpoint, str(response.status_code)).inc()
    return response


def _ballot_cast(_round, **payload) -> None:  # type: ignore[no-untyped-def]
    # Counted when the transaction commits, not when the ballot is flushed: a rolled-back
    # ballot (a duplicate, a closed round) was never cast.
    from burgerbegroting.extensions import db

    db.session.info.setdefault("bb_ballots", []).append(str(payload.get("channel", "online")))


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for channel in session.info.pop("bb_ballots", []):
        BALLOTS_CAST.labels(channel).inc()


@sa.event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("bb_ballots", None)


def init_app(app: Flask) -> None:
    parse_networks(app.config["METRICS_ALLOW_FROM"])
    if app.config["PROMETHEUS_MULTIPROC_DIR"]:
        os.makedirs(app.config["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)  # prometheus-client needs it
    app.register_blueprint(bp)
    app.after_request(_observe)
    signals.ballot_cast.connect(_ballot_cast, weak=False)
