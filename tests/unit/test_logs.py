"""Structured logs: one JSON object per line, a request id, and nothing personal."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from burgerbegroting.core import logs


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The JSON log as production writes it, captured for this test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def entries(stream: io.StringIO) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_request_line_has_id_method_path_status_duration(client, log_lines):
    response = client.get("/privacy?email=someone@example.org&code=K7PC-4XWM-TH9Q-R")
    rid = response.headers["X-Request-ID"]
    assert len(rid) == 32
    line = next(e for e in entries(log_lines) if e["logger"] == "burgerbegroting.request")
    assert line["request_id"] == rid and line["method"] == "GET" and line["path"] == "/privacy"
    assert line["status"] == 200 and isinstance(line["duration_ms"], float)
    assert {"time", "level", "message", "endpoint"} <= set(line)
    assert "example.org" not in log_lines.getvalue() and "K7PC" not in log_lines.getvalue()


def test_request_id_from_proxy_kept_only_when_well_formed(client, log_lines):
    good = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert client.get("/healthz", headers={"X-Request-ID": good}).headers["X-Request-ID"] == good
    nginx = "a" * 32
    assert client.get("/healthz", headers={"X-Request-ID": nginx}).headers["X-Request-ID"] == nginx
    for bad in ("jan@example.org", "K7PC-4XWM-TH9Q-R", "CAFE-3477-DEAD-9", "x" * 200, "a" * 31, ""):
        answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert answered != bad and len(answered) == 32
    assert "jan@example.org" not in log_lines.getvalue()


def test_tokens_in_paths_and_personal_data_in_messages_are_redacted(client, log_lines):
    client.get("/confirm/eyJhbGciOiJIUzI1NiJ9.some-long-signed-token-value-here")
    logging.getLogger("burgerbegroting.test").warning("Mail to jan.jansen@example.org with code k7pc4xwmth9qr")
    text = log_lines.getvalue()
    assert "/confirm/[token]" in text and "some-long-signed" not in text
    assert "jan.jansen" not in text and "k7pc4xwmth9qr" not in text and "[email]" in text and "[code]" in text


def test_sql_parameters_never_reach_the_log(log_lines):
    try:
        raise RuntimeError("(psycopg.errors.UniqueViolation) duplicate\n[SQL: INSERT INTO ballot_choice ...]\n"
                           "[parameters: {'proposal_id': 12, 'value': 1}]\n(Background on this error ...)")
    except RuntimeError:
        logging.getLogger("burgerbegroting.test").exception("Unhandled error")
    line = entries(log_lines)[-1]
    assert "proposal_id" not in line["exception"] and "[parameters hidden]" in line["exception"]


def test_text_format_for_development():
    record = logging.LogRecord("burgerbegroting.app", logging.INFO, __file__, 1, "Hallo %s", ("a@b.nl",), None)
    assert logs.TextFormatter().format(record).endswith("INFO burgerbegroting.app [-] Hallo [email]")


def test_tokens_in_paths_within_messages_are_redacted(log_lines):
    # errors.py logs "Unhandled error on GET <path>" and "Database unavailable on GET <path>":
    # during a database outage every click on a reset link would put its token in the log.
    token = "eyJ1c2VyIjo0Mn0.ZxYwVu.secretsignaturepart"
    logging.getLogger("burgerbegroting.app").warning("Database unavailable on GET /password/reset/%s: X", token)
    logging.getLogger("burgerbegroting.app").error("Unhandled error on POST /confirm/%s", token)
    text = log_lines.getvalue()
    assert "secretsignature" not in text and text.count("[token]") == 2
