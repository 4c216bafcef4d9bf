"""Helpers for the web tests: demo data, logging in as a role, posting forms with CSRF,
reading mails and translations."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from markupsafe import escape

from burgerbegroting.core import mail
from burgerbegroting.extensions import db, limiter
from tests.conftest import DEMO_PASSWORD, csrf_from, login

DEMO_EMAILS = {
    "resident": "bewoner@example.org",
    "reviewer": "ambtenaar@example.org",
    "moderator": "moderator@example.org",
    "admin": "beheerder@example.org",
    "council": "raadslid@example.org",
}


@pytest.fixture
def demo_accounts(app: Flask) -> None:
    """Only the five demo accounts (one per role): quick."""
    from burgerbegroting import demo

    demo.seed_accounts()
    db.session.commit()


@pytest.fixture
def seeded(app: Flask) -> None:
    """The whole demo municipality: accounts, rounds and their content (takes a while)."""
    from burgerbegroting import demo

    demo.seed()
    db.session.commit()


def login_as(client: FlaskClient, role: str) -> None:
    """Log in with the demo account for ``role`` (needs the ``seeded`` fixture)."""
    response = login(client, DEMO_EMAILS[role], DEMO_PASSWORD)
    assert response.status_code == 303, response.status_code


def token(client: FlaskClient, url: str = "/") -> str:
    """A CSRF token for this client's session (every page has one in the language switch)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return csrf_from(response.get_data(as_text=True))


def post(client: FlaskClient, url: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """POST a form with a valid CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": token(client)}, **kwargs)


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<html lang="([^"]+)"', html(response))
    assert match, "no <html lang>"
    return match.group(1)


def set_language(client: FlaskClient, lang: str) -> None:
    response = post(client, "/language", {"lang": lang, "next": "/"})
    assert response.status_code == 303


def translated(app: Flask, msgid: str, locale: str, **variables: object) -> str:
    """``msgid`` as the catalogue translates it for ``locale``, escaped as a page shows it."""
    with app.test_request_context(), force_locale(locale):
        return str(escape(gettext(msgid, **variables)))


def last_mail_link(path_prefix: str) -> str:
    """The path of the link in the last mail sent (e.g. ``/confirm/...``)."""
    assert mail.outbox, "no mail sent"
    body = mail.outbox[-1].get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, f"no {path_prefix} link in mail:\n{body}"
    return match.group(1)


@pytest.fixture
def limited_app(app: Flask) -> Iterator[Flask]:
    """A second app with rate limits on (3 logins and 2 reset requests per minute).

    It shares the test's database connection (``db.session`` is bound to it). Flask-Limiter
    keeps its on/off switch and its counters on the one ``limiter`` object, so they are reset
    afterwards: the other tests run without limits.
    """
    from burgerbegroting.app import create_app

    was_enabled = limiter.enabled
    limited = create_app(
        "testing",
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        RESET_RATE_LIMIT="2 per minute",
        SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    )
    limiter.reset()
    try:
        yield limited
    finally:
        limiter.reset()
        limiter.enabled = was_enabled


def savepoint_per_test() -> Iterator[None]:
    """For modules that seed once: each test runs in a savepoint of the module's transaction."""
    savepoint = db.session.begin_nested()
    db.session.connection()  # the SAVEPOINT is sent now, not when the session first needs it
    mail.outbox.clear()
    try:
        yield
    finally:
        savepoint.rollback()
        db.session.expire_all()
