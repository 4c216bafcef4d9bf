"""Static files: hashed names cached for a year, plain names still served with a short cache,
and the security headers (CSP) on both."""

from __future__ import annotations

import re
from pathlib import Path

from burgerbegroting.core.assets import LONG, build_manifest
from tests.web.conftest import html

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def test_pages_link_hashed_names_served_with_long_cache(client):
    urls = STATIC.findall(html(client.get("/")))
    assert any(re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url) for url in urls), urls
    assert any(re.fullmatch(r"/static/vendor/htmx\.min\.[0-9a-f]{12}\.js", url) for url in urls), urls
    site = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == LONG
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if "/css/site." in url:
            assert response.data == site.read_bytes()
        response.close()


def test_plain_and_outdated_names_work_with_short_cache(app, client):
    for url in ("/static/css/site.css", "/static/css/site.0123456789ab.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == f"public, max-age={app.config['SEND_FILE_MAX_AGE_DEFAULT']}"
        response.close()
    for url in ("/static/nope.css", "/static/nope.0123456789ab.css", "/static/../config.py",
                "/static/%2e%2e/config.py"):
        assert client.get(url).status_code == 404, url


def test_hash_follows_the_content(tmp_path: Path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("body { color: black }")
    (tmp_path / "LICENSE").write_text("no extension: not hashed")
    first = build_manifest(tmp_path)
    assert list(first) == ["css/a.css"] and re.fullmatch(r"css/a\.[0-9a-f]{12}\.css", first["css/a.css"])
    (tmp_path / "css" / "a.css").write_text("body { color: navy }")
    assert build_manifest(tmp_path)["css/a.css"] != first["css/a.css"]


def test_switched_off_gives_plain_names(monkeypatch):
    from burgerbegroting.app import create_app

    monkeypatch.setenv("BURGERBEGROTING_CONFIG", "testing")
    app = create_app("testing", STATIC_HASHED_NAMES=False)
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="css/site.css") == "/static/css/site.css"
