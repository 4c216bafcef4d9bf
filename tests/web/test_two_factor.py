"""Two-step login (TOTP) for staff: set-up on first login, then a code at every login."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from burgerbegroting.auth import operations as ops
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, get_csrf, login, make_user
from tests.web.conftest import html, post, translated


@pytest.fixture
def required(app, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REQUIRE_STAFF_2FA", True)


def secret_on(page: str) -> str:
    match = re.search(r'<code class="bb-secret">([A-Z2-7]+)</code>', page)
    assert match, "no secret on the set-up page"
    return match.group(1)


def send_code(client, url: str, code: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"code": code, "csrf_token": get_csrf(client, url)})


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555", "666666") if c not in valid)


def test_staff_set_up_two_step_login(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("staff@example.org", roles=("reviewer",))
    response = login(client, "staff@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/2fa/setup"
    # The password alone does not log in.
    assert client.get("/profile").status_code == 302
    assert client.get("/beheer/").status_code == 302

    page = client.get("/login/2fa/setup")
    assert page.status_code == 200
    secret = secret_on(html(page))
    assert 'src="data:image/svg+xml;base64,' in html(page)
    assert secret_on(html(client.get("/login/2fa/setup"))) == secret  # stable while setting up

    response = send_code(client, "/login/2fa/setup", wrong_code(secret))
    assert response.status_code == 422
    assert translated(app, "This code is not right. Check the time on your phone and try a new code.",
                      "nl") in html(response)
    assert client.get("/profile").status_code == 302

    response = send_code(client, "/login/2fa/setup", "")
    assert response.status_code == 422
    assert translated(app, "Enter the 6-digit code.", "nl") in html(response)

    response = send_code(client, "/login/2fa/setup", pyotp.TOTP(secret).now())
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/beheer/").status_code == 200
    db.session.expire_all()
    user = ops.find_user_by_email("staff@example.org")
    assert user.totp_enabled and user.totp_secret == secret
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "two_factor_enabled")).one()
    assert event.actor_id == user.id


def test_next_login_asks_for_a_code(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("staff@example.org", roles=("admin",))
    login(client, "staff@example.org")
    secret = secret_on(html(client.get("/login/2fa/setup")))
    first_code = pyotp.TOTP(secret).now()
    assert send_code(client, "/login/2fa/setup", first_code).status_code == 303
    post(client, "/logout")

    response = login(client, "staff@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login/2fa"
    # Set-up is done: its page is not offered again.
    assert client.get("/login/2fa/setup").status_code == 302
    assert client.get("/beheer/").status_code == 302

    response = send_code(client, "/login/2fa", first_code)  # replayed
    assert response.status_code == 422
    assert client.get("/beheer/").status_code == 302

    response = send_code(client, "/login/2fa", pyotp.TOTP(secret).at(time.time() + 30))
    assert response.status_code == 303
    assert client.get("/beheer/medewerkers").status_code == 200


def test_a_code_is_asked_once_enabled_even_when_not_required(client, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("moderator",))
    secret = ops.start_totp_setup(user)
    user.totp_enabled = True
    db.session.commit()
    response = login(client, "staff@example.org")
    assert response.headers["Location"] == "/login/2fa"
    assert client.get("/beheer/").status_code == 302
    assert send_code(client, "/login/2fa", pyotp.TOTP(secret).now()).status_code == 303
    assert client.get("/beheer/").status_code == 200


def test_residents_are_not_asked_for_a_code(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org", roles=("resident",))
    response = login(client, "bea@example.org")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/profile").status_code == 200


def test_two_step_login_keeps_next(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("staff@example.org", roles=("admin",))
    token = get_csrf(client, "/login")
    client.post("/login?next=/beheer/audit", data={"email": "staff@example.org", "password": PASSWORD,
                                                   "csrf_token": token})
    secret = secret_on(html(client.get("/login/2fa/setup")))
    response = send_code(client, "/login/2fa/setup", pyotp.TOTP(secret).now())
    assert response.headers["Location"] == "/beheer/audit"


def test_code_pages_without_a_password_first(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("staff@example.org", roles=("admin",))
    for url in ("/login/2fa", "/login/2fa/setup"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/login"
        response = client.post(url, data={"code": "123456", "csrf_token": get_csrf(client, "/")})
        assert response.status_code == 302


def test_a_wrong_password_does_not_start_two_step_login(client, app, required) -> None:  # type: ignore[no-untyped-def]
    make_user("staff@example.org", roles=("admin",))
    assert login(client, "staff@example.org", "wrong password!").status_code == 422
    assert client.get("/login/2fa/setup").status_code == 302


def test_a_password_change_cancels_a_pending_two_step_login(client, app, required) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("admin",))
    login(client, "staff@example.org")
    assert client.get("/login/2fa/setup").status_code == 200
    ops.set_password(user, "changed elsewhere meanwhile")
    db.session.commit()
    assert client.get("/login/2fa/setup").status_code == 302
