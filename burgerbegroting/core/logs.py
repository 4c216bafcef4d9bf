"""Logging: one JSON object per line on stderr (or plain text), with a request id.

Every record carries ``request_id``, ``method`` and ``path`` when logged inside a request; the
app logs one line per request with ``status`` and ``duration_ms``. What never gets into the
log: query strings (a QR code's link holds the voting code), tokens from e-mail links, e-mail
addresses, voting codes, ballot choices, SQL parameters. The view code logs none of these;
``redact`` is the second line of defence for every message and traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

# A request id from a proxy (nginx's $request_id, a UUID); anything else is replaced, so a
# client cannot put personal data (or a voting code) into every log line.
_REQUEST_ID = re.compile(r"^(?:[0-9a-fA-F]{32,64}"
                         r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")

_TOKEN_PATHS = re.compile(r"^(/confirm|/password/reset)/[^/]+")  # as in gunicorn.conf.py
# The same paths inside free text ("Unhandled error on GET /password/reset/<token>").
_TOKEN_IN_TEXT = re.compile(r"(/confirm|/password/reset)/[^\s/?#'\"]+")
_LONG_SEGMENT = re.compile(r"(?<=/)[^/]{33,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CODE = re.compile(r"\b[ACDEFGHJKMNPQRTUWXY34679]{4}-?[ACDEFGHJKMNPQRTUWXY34679]{4}-?"
                   r"[ACDEFGHJKMNPQRTUWXY34679]{4}-?[ACDEFGHJKMNPQRTUWXY34679]\b", re.I)
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]\n?", re.S)
_QUERY = re.compile(r"(\?|&)(code|token|email|next)=[^\s&\"']*", re.I)

_HANDLER_NAME = "burgerbegroting"


def scrub_path(path: str) -> str:
    """The request path without tokens."""
    path = _TOKEN_PATHS.sub(r"\1/[token]", path)
    return _LONG_SEGMENT.sub("[redacted]", path)


def redact(text: str) -> str:
    """Remove what must never be logged from free text (messages, tracebacks)."""
    text = _SQL_PARAMETERS.sub("[parameters hidden]\n", text)
    text = _QUERY.sub(r"\1\2=[redacted]", text)
    text = _TOKEN_IN_TEXT.sub(r"\1/[token]", text)
    text = _EMAIL.sub("[email]", text)
    return _CODE.sub("[code]", text)


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestFilter(logging.Filter):
    """Adds the request's id, method and path (never the query string) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = scrub_path(request.path)
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "endpoint")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return redact(super().format(record))


def configure(log_format: str, level: str) -> logging.Handler:
    """One handler on the root logger (replacing ours from an earlier call)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _start() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-ID"] = rid
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    logging.getLogger("burgerbegroting.request").info(
        "%s %s %s %s ms", request.method, scrub_path(request.path), response.status_code, duration_ms,
        extra={"status": response.status_code, "duration_ms": duration_ms, "endpoint": request.endpoint or "-"})
    return response


def init_app(app: Flask) -> None:
    if not app.testing:
        configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
        app.logger.removeHandler(default_handler)  # the root handler writes it
    app.before_request(_start)
    app.after_request(_finish)
