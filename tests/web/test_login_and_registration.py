"""Registering, confirming the address, logging in and out, through the test client."""

from __future__ import annotations

import re

import sqlalchemy as sa

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.auth.tokens import make_token
from burgerbegroting.core import mail
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, count, get_csrf, login, make_user
from tests.web.conftest import html, last_mail_link, post, set_language, translated

REGISTRATION = {"name": "Bea Bewoner", "email": "  Bea.Bewoner@Example.ORG ", "password": PASSWORD,
                "confirm": PASSWORD}


def fresh_user(email: str) -> User | None:
    db.session.expire_all()
    return ops.find_user_by_email(email)


# Registration ---------------------------------------------------------------------------------

def test_register_page(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/register")
    assert response.status_code == 200
    page = html(response)
    for name in ("name", "email", "password", "confirm", "csrf_token"):
        assert f'name="{name}"' in page
    assert 'autocomplete="new-password"' in page
    assert translated(app, "Create an account", "nl") in page


def test_register_logs_in_and_sends_a_confirmation_mail(client, app) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/register", REGISTRATION)
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    user = fresh_user("bea.bewoner@example.org")
    assert user is not None
    assert user.email == "bea.bewoner@example.org"
    assert user.role_names == {"resident"}
    assert user.locale == "nl"
    assert not user.email_confirmed
    [message] = mail.outbox
    assert message["To"] == "bea.bewoner@example.org"
    assert message["Subject"] == translated(app, "Confirm your e-mail address", "nl")
    assert "Bea Bewoner" in message.get_content()
    # Logged in, with a reminder to confirm.
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert translated(app, "Your e-mail address is not confirmed yet. Open the link in the e-mail we sent you.",
                      "nl") in html(profile)


def test_register_in_english_keeps_the_language(client, app) -> None:  # type: ignore[no-untyped-def]
    set_language(client, "en")
    assert post(client, "/register", REGISTRATION).status_code == 303
    assert fresh_user("bea.bewoner@example.org").locale == "en"
    assert mail.outbox[0]["Subject"] == "Confirm your e-mail address"


def test_confirmation_link(client, app) -> None:  # type: ignore[no-untyped-def]
    post(client, "/register", REGISTRATION)
    link = last_mail_link("/confirm/")
    response = client.get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    user = fresh_user("bea.bewoner@example.org")
    confirmed_at = user.email_confirmed_at
    assert confirmed_at is not None
    page = html(client.get("/profile"))
    assert translated(app, "Thank you, your e-mail address is confirmed.", "nl") in page
    assert "resend" not in page  # no reminder any more
    # The same link again is harmless.
    again = client.get(link)
    assert again.status_code == 303
    assert fresh_user("bea.bewoner@example.org").email_confirmed_at == confirmed_at


def test_confirmation_link_works_when_logged_out(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org", confirmed=False)
    with app.test_request_context():
        link = "/confirm/" + make_token(user, "confirm")
    response = client.get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert fresh_user("bea@example.org").email_confirmed


def test_tampered_confirmation_link(client, app) -> None:  # type: ignore[no-untyped-def]
    post(client, "/register", REGISTRATION)
    link = last_mail_link("/confirm/")
    tampered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    response = client.get(tampered)
    assert response.status_code == 400
    assert translated(app, "This link does not work", "nl") in html(response)
    assert not fresh_user("bea.bewoner@example.org").email_confirmed
    for bad in ("/confirm/x", "/confirm/" + "A" * 500, "/confirm/%F0%9F%92%A9"):
        assert client.get(bad).status_code == 400, bad


def test_a_password_reset_token_does_not_confirm(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org", confirmed=False)
    with app.test_request_context():
        reset_token = make_token(user, "reset")
    assert client.get("/confirm/" + reset_token).status_code == 400
    assert not fresh_user("bea@example.org").email_confirmed


def test_resend_confirmation(client, app) -> None:  # type: ignore[no-untyped-def]
    post(client, "/register", REGISTRATION)
    mail.outbox.clear()
    response = post(client, "/confirm/resend")
    assert response.status_code == 303
    assert len(mail.outbox) == 1
    client.get(last_mail_link("/confirm/"))
    mail.outbox.clear()
    assert post(client, "/confirm/resend").status_code == 303
    assert mail.outbox == []  # confirmed already: nothing to send


def test_register_with_an_address_in_use(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea.bewoner@example.org", name="The first Bea")
    before = (count(User), count(UserRole))
    response = post(client, "/register", REGISTRATION)
    assert response.status_code == 422
    page = html(response)
    assert translated(app, "There is already an account with this e-mail address. "
                           "Log in, or reset your password if you forgot it.", "nl") in page
    assert (count(User), count(UserRole)) == before
    assert mail.outbox == []
    assert fresh_user("bea.bewoner@example.org").name == "The first Bea"
    assert client.get("/profile").status_code == 302  # not logged in


def test_register_validation(client, app) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ({"name": ""}, "Enter your name."),
        ({"name": "x" * 101}, "A name has at most 100 characters."),
        ({"email": ""}, "Enter your e-mail address."),
        ({"email": "not an address"}, "Enter an e-mail address like name@example.nl."),
        ({"email": "a@b"}, "Enter an e-mail address like name@example.nl."),
        ({"password": "short", "confirm": "short"}, None),
        ({"confirm": PASSWORD + "!"}, "The two passwords are not the same."),
        ({"confirm": ""}, "Repeat your password."),
    ]
    for change, message in cases:
        response = post(client, "/register", {**REGISTRATION, **change})
        assert response.status_code == 422, change
        page = html(response)
        assert "bb-error-summary" in page
        if message:
            assert translated(app, message, "nl") in page, change
        assert 'aria-invalid="true"' in page
    assert count(User) == 0
    assert mail.outbox == []


def test_register_keeps_what_was_typed_except_passwords(client, app) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/register", {**REGISTRATION, "confirm": "something else entirely"})
    assert response.status_code == 422
    page = html(response)
    assert 'value="Bea Bewoner"' in page
    assert 'value="Bea.Bewoner@Example.ORG"' in page  # stripped, as typed
    assert PASSWORD not in page
    assert "something else entirely" not in page


def test_logged_in_users_do_not_register_again(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    response = client.get("/register")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/login").status_code == 302


# Login ----------------------------------------------------------------------------------------

def test_login(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    assert user.last_login_at is None
    response = login(client, "BEA@example.org ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert translated(app, "You are logged in.", "nl") in html(client.get("/"))
    assert client.get("/profile").status_code == 200
    assert fresh_user("bea@example.org").last_login_at is not None


def test_login_sets_a_safe_session_cookie(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    token = get_csrf(client, "/login")
    response = client.post("/login", data={"email": "bea@example.org", "password": PASSWORD, "csrf_token": token,
                                           "remember": "y"})
    assert response.status_code == 303
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert name in cookies, cookies
        assert "HttpOnly" in cookies[name]
        assert "SameSite=Lax" in cookies[name]
        assert "Path=/" in cookies[name]


def test_login_follows_next_only_on_this_site(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    for next_url, expected in [("/profile", "/profile"), ("//evil.example/x", "/"),
                               ("https://evil.example", "/"), ("/\\evil.example", "/")]:
        client.delete_cookie("session")
        token = get_csrf(client, "/login")
        response = client.post("/login", query_string={"next": next_url},
                               data={"email": "bea@example.org", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, next_url
        assert response.headers["Location"] == expected, next_url


def test_login_required_pages_send_you_back_after_login(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    response = client.get("/profile/password")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    page = client.get(login_url)
    assert translated(app, "Log in to see this page.", "nl") in html(page)
    token = get_csrf(client, login_url)
    response = client.post(login_url, data={"email": "bea@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile/password"


def test_wrong_password(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    response = login(client, "bea@example.org", "the wrong password")
    assert response.status_code == 422
    page = html(response)
    message = translated(app, "This e-mail address and password do not match an account.", "nl")
    assert message in page
    assert 'id="password-error"' in page  # the message sits at the password field
    assert 'value="bea@example.org"' in page  # the address is kept
    assert "the wrong password" not in page  # the password is not
    assert re.search(r'<input[^>]*name="password"[^>]*>', page)
    assert not re.search(r'<input[^>]*name="password"[^>]*value="[^"]', page)
    assert client.get("/profile").status_code == 302


def test_unknown_address_gets_the_same_answer(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    known = login(client, "bea@example.org", "the wrong password")
    unknown = login(client, "nobody@example.org", "the wrong password")
    assert known.status_code == unknown.status_code == 422

    def normalised(response) -> str:  # type: ignore[no-untyped-def]
        page = html(response).replace("nobody@example.org", "bea@example.org")
        return re.sub(r'value="[^"]*"(?=[^>]*csrf)|(?<=name="csrf_token" type="hidden" value=")[^"]+', "", page)

    assert normalised(known) == normalised(unknown)


def test_empty_login_form(client, app) -> None:  # type: ignore[no-untyped-def]
    response = login(client, "", "")
    assert response.status_code == 422
    page = html(response)
    assert translated(app, "Enter your e-mail address.", "nl") in page
    assert translated(app, "Enter your password.", "nl") in page


def test_login_with_an_overlong_password(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    response = login(client, "bea@example.org", "x" * 201)
    assert response.status_code == 422
    assert translated(app, "This password is too long.", "nl") in html(response)


def test_unconfirmed_accounts_can_log_in(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org", confirmed=False)
    assert login(client, "bea@example.org").status_code == 303
    assert client.get("/profile").status_code == 200


# Logout ---------------------------------------------------------------------------------------

def test_logout(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    response = post(client, "/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert translated(app, "You are logged out.", "nl") in html(client.get("/"))
    assert client.get("/profile").status_code == 302


def test_logout_keeps_the_chosen_language(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    set_language(client, "en")
    post(client, "/logout")
    assert '<html lang="en"' in html(client.get("/"))


def test_logout_by_get_is_not_allowed(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert translated(app, "This does not work this way", "nl") in html(response)
    assert response.mimetype == "text/html"
    assert client.get("/profile").status_code == 200  # still logged in


def test_logout_without_csrf_token_is_refused(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    login(client, "bea@example.org")
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/profile").status_code == 200


def test_login_gives_a_fresh_session(client, app) -> None:  # type: ignore[no-untyped-def]
    """A session made before login (e.g. planted by an attacker) does not survive it."""
    make_user("bea@example.org")
    before = get_csrf(client, "/login")
    login(client, "bea@example.org")
    # The CSRF secret lived in the old session; a form from before login no longer works.
    response = client.post("/profile", data={"name": "Changed", "locale": "nl", "csrf_token": before})
    assert response.status_code == 400
    assert db.session.scalars(sa.select(User.name)).one() == "Test Persoon"
