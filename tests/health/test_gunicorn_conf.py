"""gunicorn.conf.py: settings from the environment, and an access log without secrets."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:  # type: ignore[type-arg]
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] >= 2
    assert conf["worker_class"] == "gthread" and conf["threads"] > 1
    assert conf["preload_app"] is False
    assert conf["accesslog"] == "-"


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load(monkeypatch, WEB_CONCURRENCY="7", GUNICORN_BIND="0.0.0.0:8000", GUNICORN_THREADS="4",
                FORWARDED_ALLOW_IPS="10.0.0.5")
    assert (conf["workers"], conf["bind"], conf["threads"], conf["forwarded_allow_ips"]) == (
        7, ["0.0.0.0:8000"], 4, "10.0.0.5")


def test_access_log_format_has_no_query_string_or_referrer(monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = load(monkeypatch)["access_log_format"]
    assert "%(U)s" in fmt
    for atom in ("%(q)s", "%(r)s", "%(f)s"):
        assert atom not in fmt


def test_access_log_line_keeps_voting_codes_and_tokens_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real gunicorn logger writes the line, also with gunicorn's default format."""
    conf = load(monkeypatch)
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("logger_class", conf["logger_class"])
    logger = conf["logger_class"](cfg)
    token = "eyJ1c2VyIjo0Mn0.ZmFrZS10b2tlbi1mb3ItdGhlLXRlc3Q.c2lnbmF0dXJl"
    lines = []
    for path, query in (("/stemmen", "code=ACDE-FGHJ-KMNP-Q"), (f"/password/reset/{token}", ""),
                        (f"/confirm/{token}", "")):
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"{path}?{query}", "PATH_INFO": path, "QUERY_STRING": query,
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1",
                   "HTTP_REFERER": "https://example.org/stemmen?code=ACDE-FGHJ-KMNP-Q", "HTTP_USER_AGENT": "test"}
        req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])], method="GET", path=path, query=query,
                              version=(1, 1), uri=f"{path}?{query}")
        resp = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
        for fmt in (conf["access_log_format"], '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(q)s'):
            logger.cfg.set("access_log_format", fmt)
            atoms = logger.atoms(resp, req, environ, _Elapsed())
            lines.append(fmt % atoms)
    text = "\n".join(lines)
    assert "/stemmen" in text and "/password/reset/[token]" in text and "/confirm/[token]" in text
    assert "ACDE" not in text
    assert token not in text and token[:20] not in text


class _Elapsed:
    days = 0
    seconds = 0
    microseconds = 1500
