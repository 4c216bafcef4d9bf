"""Dutch by default, English on request; the switch works on every page without JavaScript.

The Dutch strings below are checked against the nl catalogue (messages.po) as it stands; if a
translator rewords them, update them here.
"""

from __future__ import annotations

import pytest

from tests.conftest import login, make_user
from tests.web.conftest import html, html_lang, post, token

DUTCH = ["U beslist wat uw wijk of dorp krijgt", "Inloggen", "Privacyverklaring", "Naar de inhoud"]
ENGLISH = ["You decide what your neighbourhood gets", "Log in", "Privacy statement", "Skip to content"]


def test_dutch_is_the_default(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert html_lang(response) == "nl"
    page = html(response)
    for text in DUTCH:
        assert text in page, text
    assert "You decide what your neighbourhood gets" not in page
    # The switch offers English, in English.
    assert 'name="lang" value="en" lang="en">English</button>' in page


def test_switch_to_english_and_back(client, app) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/language", {"lang": "en", "next": "/privacy"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/privacy"
    page = client.get("/")
    assert html_lang(page) == "en"
    for text in ENGLISH:
        assert text in html(page), text
    assert "Inloggen" not in html(page)
    assert 'name="lang" value="nl" lang="nl">Nederlands</button>' in html(page)
    # The choice holds for every page.
    assert html_lang(client.get("/login")) == "en"
    assert html_lang(client.get("/nope")) == "en"
    post(client, "/language", {"lang": "nl", "next": "/"})
    assert html_lang(client.get("/")) == "nl"


def test_the_switch_returns_to_the_same_page(client, app) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/privacy?x=1"))
    assert 'name="next" value="/privacy?x=1"' in page
    page = html(client.get("/toegankelijkheid"))
    assert 'name="next" value="/toegankelijkheid"' in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example", "/\\evil.example", ""])
def test_the_switch_does_not_redirect_elsewhere(client, app, next_url: str) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/language", {"lang": "en", "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, app) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/language", {"lang": "de", "next": "/privacy"})
    assert response.status_code == 303
    assert html_lang(client.get("/")) == "nl"


def test_the_switch_needs_a_csrf_token(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/language", data={"lang": "en", "next": "/"})
    assert response.status_code == 400
    assert html_lang(client.get("/")) == "nl"


def test_the_switch_is_remembered_in_the_account(client, app) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.auth import operations as ops
    from burgerbegroting.extensions import db

    make_user("bea@example.org")
    login(client, "bea@example.org")
    post(client, "/language", {"lang": "en", "next": "/"})
    db.session.expire_all()
    assert ops.find_user_by_email("bea@example.org").locale == "en"
    # A new device, after login, is in English too.
    other = app.test_client()
    assert html_lang(other.get("/")) == "nl"
    login(other, "bea@example.org")
    assert html_lang(other.get("/")) == "en"


def test_language_switch_only_by_post(client, app) -> None:  # type: ignore[no-untyped-def]
    token(client)
    response = client.get("/language?lang=en")
    assert response.status_code == 405
    assert html_lang(client.get("/")) == "nl"
