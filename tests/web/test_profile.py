"""My account: details, language, password, personal data download, deleting the account."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, login, make_user
from tests.web.conftest import html, html_lang, post, translated

NEW = "my brand new password"


def reload(email: str) -> User:
    db.session.expire_all()
    user = ops.find_user_by_email(email)
    assert user is not None
    return user


def logged_in(client, email: str = "bea@example.org", **kwargs):  # type: ignore[no-untyped-def]
    user = make_user(email, **kwargs)
    assert login(client, email).status_code == 303
    return user


# Details and language -------------------------------------------------------------------------

def test_profile_shows_the_account(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client, name="Bea Bewoner")
    response = client.get("/profile")
    assert response.status_code == 200
    page = html(response)
    assert "bea@example.org" in page
    assert 'value="Bea Bewoner"' in page
    assert re.search(r'<option[^>]* selected[^>]* value="nl"', page)
    assert not re.search(r'<option[^>]* selected[^>]* value="en"', page)


def test_update_name_and_language(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    assert html_lang(client.get("/profile")) == "nl"
    response = post(client, "/profile", {"name": "  Bea de Vries ", "locale": "en"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    page = client.get("/profile")
    assert html_lang(page) == "en"
    assert "Your details are saved." in html(page)
    assert 'value="Bea de Vries"' in html(page)
    user = reload("bea@example.org")
    assert (user.name, user.locale) == ("Bea de Vries", "en")
    # Back to Dutch.
    post(client, "/profile", {"name": "Bea de Vries", "locale": "nl"})
    assert html_lang(client.get("/profile")) == "nl"


def test_the_account_language_wins_after_login(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    user.locale = "en"
    db.session.commit()
    assert html_lang(client.get("/")) == "nl"
    login(client, "bea@example.org")
    assert html_lang(client.get("/")) == "en"


def test_profile_validation(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client, name="Bea")
    for data, message in [({"name": "", "locale": "nl"}, "Enter your name."),
                          ({"name": "   ", "locale": "nl"}, "Enter your name."),
                          ({"name": "x" * 101, "locale": "nl"}, "A name has at most 100 characters."),
                          ({"name": "Bea", "locale": "de"}, None),
                          ({"name": "Bea", "locale": ""}, None)]:
        response = post(client, "/profile", data)
        assert response.status_code == 422, data
        if message:
            assert translated(app, message, "nl") in html(response)
    user = reload("bea@example.org")
    assert (user.name, user.locale) == ("Bea", "nl")


# Password -------------------------------------------------------------------------------------

def change(client, current: str, new: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    return post(client, "/profile/password", {"current_password": current, "password": new,
                                              "confirm": confirm or new})


def test_change_password(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    other_device = app.test_client()
    login(other_device, "bea@example.org")
    assert client.get("/profile/password").status_code == 200
    response = change(client, PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200  # this session goes on
    assert other_device.get("/profile").status_code == 302  # the other one is signed out
    db.session.expire_all()
    assert ops.authenticate("bea@example.org", NEW) is not None
    assert ops.authenticate("bea@example.org", PASSWORD) is None


def test_change_password_with_a_wrong_current_password(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    response = change(client, "not my password")
    assert response.status_code == 422
    page = html(response)
    assert translated(app, "This is not your current password.", "nl") in page
    assert "not my password" not in page and NEW not in page
    db.session.expire_all()
    assert ops.authenticate("bea@example.org", PASSWORD) is not None


def test_change_password_validation(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    assert change(client, PASSWORD, "short").status_code == 422
    assert change(client, PASSWORD, NEW, NEW + "x").status_code == 422
    assert change(client, "", NEW).status_code == 422
    db.session.expire_all()
    assert ops.authenticate("bea@example.org", PASSWORD) is not None


# Personal data ----------------------------------------------------------------------------------

def test_download_personal_data(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client, name="Bea “Zoë”", roles=("resident", "council"))
    response = client.get("/profile/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="mijn-gegevens.json"' in disposition
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "bea@example.org"
    assert data["account"]["name"] == "Bea “Zoë”"
    assert data["account"]["roles"] == ["council", "resident"]
    assert data["account"]["last_login_at"] is not None
    assert "password" not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_personal_data_is_only_your_own(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("other@example.org", name="Other person")
    logged_in(client)
    body = client.get("/profile/data.json").get_data(as_text=True)
    assert "other@example.org" not in body and "Other person" not in body


# Deleting the account -----------------------------------------------------------------------------

def test_delete_account(client, app) -> None:  # type: ignore[no-untyped-def]
    user = logged_in(client, roles=("resident", "council"))
    user_id = user.id
    assert client.get("/profile/delete").status_code == 200
    response = post(client, "/profile/delete", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert translated(app, "Your account and your personal data have been deleted.", "nl") in html(home)
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.scalars(sa.select(UserRole).where(UserRole.user_id == user_id)).all() == []
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "account_deleted")).one()
    assert event.target == f"user:{user_id}"
    # Logged out, and the account is gone for good.
    assert client.get("/profile").status_code == 302
    assert login(client, "bea@example.org").status_code == 422


def test_delete_account_needs_the_checkbox(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    response = post(client, "/profile/delete", {"password": PASSWORD})
    assert response.status_code == 422
    assert translated(app, "Tick the box to confirm that you want to delete your account.", "nl") in html(response)
    assert reload("bea@example.org")
    assert client.get("/profile").status_code == 200


def test_delete_account_needs_the_password(client, app) -> None:  # type: ignore[no-untyped-def]
    logged_in(client)
    response = post(client, "/profile/delete", {"password": "not my password", "confirm": "y"})
    assert response.status_code == 422
    assert translated(app, "This is not your password.", "nl") in html(response)
    response = post(client, "/profile/delete", {"confirm": "y"})
    assert response.status_code == 422
    assert translated(app, "Enter your password to confirm.", "nl") in html(response)
    assert reload("bea@example.org")
    assert client.get("/profile").status_code == 200


def test_delete_account_leaves_other_accounts_alone(client, app) -> None:  # type: ignore[no-untyped-def]
    make_user("other@example.org", roles=("reviewer",))
    logged_in(client)
    post(client, "/profile/delete", {"password": PASSWORD, "confirm": "y"})
    assert reload("other@example.org").role_names == {"reviewer"}
