"""Prometheus metrics: what they count, and who may read /metrics."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from burgerbegroting.extensions import db
from burgerbegroting.jobs.models import Job
from tests.voting.conftest import make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_from_localhost_show_latency_by_endpoint(client):
    client.get("/privacy")
    client.get("/rondes/no-such-round")  # 404: still the endpoint's name, never the raw path
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'bb_http_request_duration_seconds_count{endpoint="pages.privacy",method="GET"}' in text
    assert "no-such-round" not in text
    assert "bb_job_queue_depth" in text and response.headers["Cache-Control"] == "no-store"


def test_made_up_methods_do_not_make_new_series(client):
    # Every label value is a new time series (and in multiprocess mode a file entry): a client
    # must not be able to create them at will with invented HTTP methods.
    for n in range(3):
        assert client.open("/privacy", method=f"BOGUS{n}").status_code == 405
    text = client.get("/metrics").get_data(as_text=True)
    assert "BOGUS" not in text
    assert 'bb_http_request_duration_seconds_count{endpoint="none",method="other"}' in text


def test_metrics_refused_from_elsewhere_unless_token(app, client, monkeypatch):
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "s3cret-token-for-prometheus")
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "s3cret-token-for-prometheus"}
                      ).status_code == 403
    ok = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert ok.status_code == 200 and b"bb_http_request_duration_seconds" in ok.data
    # Another network allowed by configuration.
    monkeypatch.setitem(app.config, "METRICS_ALLOW_FROM", "10.0.0.0/8, 203.0.113.0/24")
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 403


def test_behind_an_unconfigured_proxy_localhost_proves_nothing(client):
    """nginx on the same machine without PROXY_FIX_X_FOR: every visitor seems to come from
    127.0.0.1, so a forwarded request needs the token."""
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_a_proxy_that_names_the_client_another_way_proves_nothing_either(client):
    """nginx set up with only "X-Real-IP $remote_addr", or a proxy that sends RFC 7239's
    Forwarded header: the peer is still the proxy on 127.0.0.1."""
    assert client.get("/metrics", headers={"X-Real-IP": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.9"}).status_code == 403


def test_empty_token_never_matches(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer "}).status_code == 403


def test_server_errors_are_counted_by_endpoint(app, client, monkeypatch):
    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "pages.privacy", broken)
    before = value("bb_http_server_errors_total", endpoint="pages.privacy", status="500")
    assert client.get("/privacy").status_code == 500
    assert value("bb_http_server_errors_total", endpoint="pages.privacy", status="500") == before + 1


def test_ballots_counted_when_committed_only(app, client):
    round_, district, proposals, _ = make_voting_round()
    before = value("bb_ballots_cast_total", channel="online")
    assert start(client, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(client, round_)
    data = {"choice": str(proposals[0].id), "csrf_token": token}
    cookie = client.get_cookie("session").value
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen", data=data).status_code == 303
    assert value("bb_ballots_cast_total", channel="online") == before + 1
    client.set_cookie("session", cookie)  # the same voter again, from a second tab: refused
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen", data=data).status_code == 409
    assert value("bb_ballots_cast_total", channel="online") == before + 1


def test_queue_depth_counts_waiting_jobs(client):
    db.session.add_all([Job(kind="count", status="queued"), Job(kind="count", status="queued"),
                        Job(kind="count", status="done")])
    db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert "bb_job_queue_depth 2.0" in text


@pytest.mark.skipif(sys.platform == "win32", reason="multiprocess mode is for Unix")
def test_multiprocess_mode_adds_up_worker_processes(tmp_path: Path):
    """Two processes (like two gunicorn workers) write their numbers to the directory; the
    /metrics of either shows both; gunicorn's child_exit hook keeps a dead worker's counts."""
    script = textwrap.dedent("""
        import sys
        from burgerbegroting.app import create_app
        app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
        client = app.test_client()
        for _ in range(int(sys.argv[1])):
            client.get("/healthz")
        if sys.argv[2] == "show":
            sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", script, "3", "quiet"], env=env, check=True, capture_output=True)
    shown = subprocess.run([sys.executable, "-c", script, "2", "show"], env=env, check=True, capture_output=True,
                           text=True).stdout
    assert 'bb_http_request_duration_seconds_count{endpoint="health.healthz",method="GET"} 5.0' in shown
    assert list(tmp_path.glob("*.db"))


def test_gunicorn_hooks_empty_the_directory_and_clean_up_after_a_worker(tmp_path: Path, monkeypatch):
    import runpy
    from types import SimpleNamespace

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_123.db").write_bytes(b"old run")
    conf["on_starting"](None)
    assert list((tmp_path / "metrics").iterdir()) == []
    (tmp_path / "metrics" / "gauge_livesum_999.db").write_bytes(b"")
    (tmp_path / "metrics" / "counter_999.db").write_bytes(b"")
    conf["child_exit"](None, SimpleNamespace(pid=999))
    assert [p.name for p in (tmp_path / "metrics").iterdir()] == ["counter_999.db"]  # its counts stay in the totals


@pytest.mark.parametrize("setting", ["10.0.0.0/33", "localhost", "127.0.0.1,nonsense"])
def test_a_wrong_metrics_allow_from_stops_the_app_at_start(setting: str) -> None:
    from burgerbegroting.app import create_app

    with pytest.raises(RuntimeError, match="METRICS_ALLOW_FROM"):
        create_app("testing", METRICS_ALLOW_FROM=setting)


def test_an_empty_metrics_allow_from_means_token_only() -> None:
    from burgerbegroting.core.metrics import parse_networks

    assert parse_networks("") == []
    assert [str(n) for n in parse_networks(" 127.0.0.1 , ::1/128 ")] == ["127.0.0.1/32", "::1/128"]
