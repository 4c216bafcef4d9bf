"""Forgotten password: the mail, the link (once, not too late), and no account discovery."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner

from burgerbegroting.auth import operations as ops
from burgerbegroting.core import mail
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, get_csrf, login, make_user
from tests.web.conftest import html, last_mail_link, post, translated

NEW = "my brand new password"


def ask_for_link(client, email: str):  # type: ignore[no-untyped-def]
    return post(client, "/password/forgot", {"email": email})


def reset(client, link: str, password: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    token = get_csrf(client, link)
    return client.post(link, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def test_forgot_password_page(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/password/forgot")
    assert response.status_code == 200
    assert 'name="email"' in html(response)


def test_a_known_address_gets_a_link(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org", name="Bea")
    response = ask_for_link(client, "  BEA@example.org ")
    assert response.status_code == 200
    assert translated(app, "Check your e-mail", "nl") in html(response)
    [message] = mail.outbox
    assert message["To"] == "bea@example.org"
    assert message["Subject"] == translated(app, "Set a new password", "nl")
    assert "Bea" in message.get_content()
    assert last_mail_link("/password/reset/")


def test_an_unknown_address_gets_the_same_answer(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    known = ask_for_link(client, "bea@example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert len(mail.outbox) == 1  # only the real account got mail

    def normalised(response) -> str:  # type: ignore[no-untyped-def]
        page = html(response).replace("nobody@example.org", "bea@example.org")
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)

    assert normalised(known) == normalised(unknown)


def test_forgot_password_validation(client, app) -> None:  # type: ignore[no-untyped-def]
    response = ask_for_link(client, "not an address")
    assert response.status_code == 422
    assert translated(app, "Enter an e-mail address like name@example.nl.", "nl") in html(response)
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org", confirmed=False)
    ask_for_link(client, "bea@example.org")
    link = last_mail_link("/password/reset/")
    page = client.get(link)
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in html(page)
    response = reset(client, link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    db.session.expire_all()
    assert ops.authenticate("bea@example.org", NEW) is not None
    assert ops.authenticate("bea@example.org", PASSWORD) is None
    assert ops.find_user_by_email("bea@example.org").email_confirmed  # they read the mail
    # Second use of the same link.
    again = client.get(link)
    assert again.status_code == 400
    assert translated(app, "This link does not work", "nl") in html(again)
    assert client.post(link, data={"password": "another password 2", "confirm": "another password 2",
                                   "csrf_token": get_csrf(client, "/")}).status_code == 400
    assert login(client, "bea@example.org", NEW).status_code == 303


def test_the_new_password_must_be_valid(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    ask_for_link(client, "bea@example.org")
    link = last_mail_link("/password/reset/")
    response = reset(client, link, "short")
    assert response.status_code == 422
    response = reset(client, link, NEW, NEW + "?")
    assert response.status_code == 422
    assert translated(app, "The two passwords are not the same.", "nl") in html(response)
    db.session.expire_all()
    assert ops.authenticate("bea@example.org", PASSWORD) is not None  # unchanged
    assert reset(client, link).status_code == 303  # the link still works after mistakes


def test_a_reset_signs_out_other_sessions(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    other_device = app.test_client()
    login(other_device, "bea@example.org")
    assert other_device.get("/profile").status_code == 200
    ask_for_link(client, "bea@example.org")
    assert reset(client, last_mail_link("/password/reset/")).status_code == 303
    assert other_device.get("/profile").status_code == 302


def test_an_older_link_stops_working_after_a_reset(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    ask_for_link(client, "bea@example.org")
    first = last_mail_link("/password/reset/")
    ask_for_link(client, "bea@example.org")
    second = last_mail_link("/password/reset/")
    assert reset(client, second).status_code == 303
    assert client.get(first).status_code == 400


@pytest.mark.parametrize(("age", "status"), [(3600 - 60, 200), (3600 + 1, 400)])
def test_a_link_works_for_one_hour(client, app, monkeypatch, age: int, status: int) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    with monkeypatch.context() as patch:  # the link is made `age` seconds ago
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - age)
        ask_for_link(client, "bea@example.org")
    link = last_mail_link("/password/reset/")
    response = client.get(link)
    assert response.status_code == status
    if status == 400:
        assert translated(app, "This link does not work", "nl") in html(response)
        assert client.post(link, data={"password": NEW, "confirm": NEW,
                                       "csrf_token": get_csrf(client, "/")}).status_code == 400
        db.session.expire_all()
        assert ops.authenticate("bea@example.org", PASSWORD) is not None


def test_broken_links(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    ask_for_link(client, "bea@example.org")
    link = last_mail_link("/password/reset/")
    from burgerbegroting.auth.tokens import make_token

    with app.test_request_context():
        confirm_token = make_token(user, "confirm")
    for bad in (link[:-3], link + "x", "/password/reset/abc", "/password/reset/" + confirm_token):
        assert client.get(bad).status_code == 400, bad
