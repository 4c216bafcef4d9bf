"""Account use cases against the database: registration, passwords, roles, erasure, TOTP."""

from __future__ import annotations

import datetime as dt
import json

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.auth.passwords import verify_password
from burgerbegroting.core import signals
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.core.permissions import Role
from burgerbegroting.extensions import db
from tests.conftest import PASSWORD, count, login, make_user

NEW_PASSWORD = "a new password for today"


def events(action: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


# Registration -----------------------------------------------------------------------------

def test_register_normalises_the_email_address(app) -> None:  # type: ignore[no-untyped-def]
    received = []
    with signals.user_registered.connected_to(lambda sender, **_: received.append(sender)):
        user = ops.register_resident("  Bea.Bewoner@Example.ORG ", "  Bea  ", PASSWORD, "en")
    db.session.commit()
    assert user.email == "bea.bewoner@example.org"
    assert user.name == "Bea"
    assert user.locale == "en"
    assert user.role_names == {"resident"}
    assert user.email_confirmed is False
    assert user.totp_enabled is False
    assert verify_password(user.password_hash, PASSWORD)
    assert PASSWORD not in user.password_hash
    assert received == [user]
    assert ops.find_user_by_email("BEA.bewoner@example.org ") is user


def test_register_twice_with_the_same_address_stores_nothing(app) -> None:  # type: ignore[no-untyped-def]
    ops.register_resident("bea@example.org", "Bea", PASSWORD, "nl")
    db.session.commit()
    users, roles = count(User), count(UserRole)
    with pytest.raises(ops.EmailTaken):
        ops.register_resident("BEA@example.org", "Another Bea", PASSWORD, "nl")
    db.session.rollback()
    assert (count(User), count(UserRole)) == (users, roles)
    assert ops.find_user_by_email("bea@example.org").name == "Bea"


def test_losing_a_registration_race_raises_email_taken_and_keeps_the_session_usable(
        app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two requests check the address at the same time; the unique constraint decides."""
    make_user("bea@example.org")
    users, roles = count(User), count(UserRole)
    monkeypatch.setattr(ops, "find_user_by_email", lambda email: None)
    with pytest.raises(ops.EmailTaken):
        ops.register_resident("bea@example.org", "Bea two", PASSWORD, "nl")
    with pytest.raises(ops.EmailTaken):
        ops.create_staff("bea@example.org", "Bea staff", PASSWORD, {Role.REVIEWER}, actor_id=None)
    # The transaction goes on: other work in it can still be committed.
    make_user("other@example.org")
    assert count(User) == users + 1
    assert count(UserRole) == roles + 1
    assert events("staff_created") == []


def test_create_staff(app) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin@example.org", roles=("admin",))
    user = ops.create_staff(" Rita@Example.org", " Rita ", PASSWORD, {Role.REVIEWER, Role.MODERATOR}, actor_id=admin.id)
    db.session.commit()
    assert user.email == "rita@example.org"
    assert user.name == "Rita"
    assert user.role_names == {"reviewer", "moderator"}
    assert user.email_confirmed  # an administrator vouches for the address
    [event] = events("staff_created")
    assert event.actor_id == admin.id
    assert event.target == f"user:{user.id}"
    assert json.loads(event.payload) == {"roles": ["moderator", "reviewer"]}
    with pytest.raises(ops.EmailTaken):
        ops.create_staff("RITA@example.org", "Rita", PASSWORD, {Role.ADMIN}, actor_id=admin.id)


# Authentication ---------------------------------------------------------------------------

def test_authenticate(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    assert ops.authenticate("bea@example.org", PASSWORD) is user
    assert ops.authenticate("  BEA@Example.org ", PASSWORD) is user


def test_authenticate_with_a_wrong_password(app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    assert ops.authenticate("bea@example.org", PASSWORD + "x") is None
    assert ops.authenticate("bea@example.org", "") is None
    assert ops.authenticate("bea@example.org", PASSWORD.upper()) is None


def test_authenticate_an_unknown_address(app) -> None:  # type: ignore[no-untyped-def]
    make_user("bea@example.org")
    assert ops.authenticate("nobody@example.org", PASSWORD) is None


def test_authenticate_upgrades_an_old_hash(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048).hash(PASSWORD)
    db.session.commit()
    old = user.password_hash
    assert ops.authenticate("bea@example.org", PASSWORD) is user
    assert user.password_hash != old
    assert "m=1024,t=1" in user.password_hash  # the testing configuration's parameters
    assert verify_password(user.password_hash, PASSWORD)


def test_record_login_and_confirm_email(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org", confirmed=False)
    assert user.last_login_at is None
    ops.record_login(user)
    ops.confirm_email(user)
    db.session.commit()
    first = user.email_confirmed_at
    assert first is not None and user.last_login_at is not None
    ops.confirm_email(user)  # a second confirmation keeps the first moment
    db.session.commit()
    assert user.email_confirmed_at == first


# Passwords and sessions -------------------------------------------------------------------

def test_set_password_changes_hash_and_session_version(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    version, old_hash = user.session_version, user.password_hash
    ops.set_password(user, NEW_PASSWORD)
    db.session.commit()
    assert user.session_version != version
    assert user.password_hash != old_hash
    assert ops.authenticate("bea@example.org", NEW_PASSWORD) is user
    assert ops.authenticate("bea@example.org", PASSWORD) is None


def test_set_password_signs_out_existing_sessions(app, client) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    assert login(client, "bea@example.org").status_code == 303
    assert client.get("/profile").status_code == 200
    ops.set_password(user, NEW_PASSWORD)
    db.session.commit()
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_update_profile(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org")
    ops.update_profile(user, "  Bea de Vries ", "en")
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.locale) == ("Bea de Vries", "en")


# Roles --------------------------------------------------------------------------------------

def test_set_roles_writes_an_audit_event(app) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin@example.org", roles=("admin",))
    user = make_user("rita@example.org", roles=("resident",))
    version = user.session_version
    ops.set_roles(user, {Role.REVIEWER, Role.COUNCIL}, actor_id=admin.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).role_names == {"reviewer", "council"}
    assert user.session_version != version  # a lost role counts in other sessions at once
    [event] = events("roles_changed")
    assert event.actor_id == admin.id
    assert event.target == f"user:{user.id}"
    assert json.loads(event.payload) == {"roles": ["council", "reviewer"]}


def test_set_roles_to_the_same_roles_changes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("rita@example.org", roles=("reviewer", "resident"))
    version = user.session_version
    ops.set_roles(user, {Role.RESIDENT, Role.REVIEWER}, actor_id=None)
    db.session.commit()
    assert user.session_version == version
    assert events() == []


def test_set_roles_can_remove_every_role(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("rita@example.org", roles=("reviewer",))
    ops.set_roles(user, set(), actor_id=None)
    db.session.commit()
    assert count(UserRole) == 0
    assert json.loads(events("roles_changed")[0].payload) == {"roles": []}


def test_a_lost_role_counts_in_an_open_session(app, client) -> None:  # type: ignore[no-untyped-def]
    user = make_user("rita@example.org", roles=("admin",))
    login(client, "rita@example.org")
    assert client.get("/beheer/medewerkers").status_code == 200
    ops.set_roles(user, {Role.RESIDENT}, actor_id=None)
    db.session.commit()
    response = client.get("/beheer/medewerkers")
    assert response.status_code == 302  # signed out: the session version changed
    login(client, "rita@example.org")
    assert client.get("/beheer/medewerkers").status_code == 403


# Personal data --------------------------------------------------------------------------------

def test_export_personal_data(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org", roles=("resident", "council"), name="Bea “Zoë” de Vries")
    ops.record_login(user)
    db.session.commit()
    data = ops.export_personal_data(user)
    account = data["account"]
    assert account["id"] == user.id
    assert account["email"] == "bea@example.org"
    assert account["name"] == "Bea “Zoë” de Vries"
    assert account["language"] == "nl"
    assert account["roles"] == ["council", "resident"]
    assert account["two_factor_enabled"] is False
    for key in ("created_at", "email_confirmed_at", "last_login_at"):
        parsed = dt.datetime.fromisoformat(account[key])
        assert parsed.utcoffset() == dt.timedelta(0), key
    text = ops.export_personal_data_json(user)
    assert json.loads(text) == json.loads(json.dumps(data))
    assert "Zoë" in text  # readable, not \\u-escaped
    # Secrets are not personal data to hand out.
    assert "password" not in text and "totp_secret" not in text and "session_version" not in text


def test_export_of_a_new_account(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("bea@example.org", confirmed=False)
    account = ops.export_personal_data(user)["account"]
    assert account["email_confirmed_at"] is None
    assert account["last_login_at"] is None


def test_delete_account(app) -> None:  # type: ignore[no-untyped-def]
    other = make_user("other@example.org", roles=("reviewer",))
    user = make_user("bea@example.org", roles=("resident", "council"))
    user_id = user.id
    ops.delete_account(user)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert db.session.scalars(sa.select(UserRole).where(UserRole.user_id == user_id)).all() == []
    assert ops.find_user_by_email("bea@example.org") is None
    assert db.session.get(User, other.id).role_names == {"reviewer"}
    [event] = events("account_deleted")
    assert event.actor_id == user_id
    assert event.target == f"user:{user_id}"
    # The address is free again.
    ops.register_resident("bea@example.org", "Bea", PASSWORD, "nl")
    db.session.commit()


# Two-factor login -------------------------------------------------------------------------------

NOW = dt.datetime(2027, 5, 4, 12, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def frozen(monkeypatch):  # type: ignore[no-untyped-def]
    """Freeze the clock TOTP checks use; returns a setter."""
    clock = {"now": NOW}
    monkeypatch.setattr(ops, "utcnow", lambda: clock["now"])

    def set_now(value: dt.datetime) -> None:
        clock["now"] = value

    return set_now


def code_at(secret: str, when: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def test_totp_setup_keeps_the_secret_until_enabled(app) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    assert len(secret) >= 16
    assert ops.start_totp_setup(user) == secret  # reloading the set-up page keeps the QR code
    uri = ops.totp_uri(user, "Gemeente Voorbeeldland")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    assert "staff%40example.org" in uri


def test_check_totp_accepts_a_code_once(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    code = code_at(secret, NOW)
    assert ops.check_totp(user, code) is True
    assert ops.check_totp(user, code) is False  # replay
    frozen(NOW + dt.timedelta(seconds=30))
    assert ops.check_totp(user, code) is False  # still a replay in the next step
    assert ops.check_totp(user, code_at(secret, NOW + dt.timedelta(seconds=30))) is True


def test_check_totp_allows_one_step_of_clock_drift(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    assert ops.check_totp(user, code_at(secret, NOW - dt.timedelta(seconds=30))) is True
    user.totp_last_step = None
    assert ops.check_totp(user, code_at(secret, NOW + dt.timedelta(seconds=30))) is True
    user.totp_last_step = None
    assert ops.check_totp(user, code_at(secret, NOW - dt.timedelta(seconds=90))) is False
    assert ops.check_totp(user, code_at(secret, NOW + dt.timedelta(seconds=90))) is False


def test_an_older_code_is_refused_after_a_newer_one(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    assert ops.check_totp(user, code_at(secret, NOW)) is True
    assert ops.check_totp(user, code_at(secret, NOW - dt.timedelta(seconds=30))) is False


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "      "])
def test_check_totp_refuses_malformed_codes(app, frozen, bad: str) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    ops.start_totp_setup(user)
    assert ops.check_totp(user, bad) is False
    assert user.totp_last_step is None


def test_check_totp_ignores_spaces_in_the_code(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    code = code_at(secret, NOW)
    assert ops.check_totp(user, f" {code[:3]} {code[3:]} ") is True


def test_check_totp_without_a_secret(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    assert ops.check_totp(user, "123456") is False


def test_enable_totp(app, frozen) -> None:  # type: ignore[no-untyped-def]
    user = make_user("staff@example.org", roles=("reviewer",))
    secret = ops.start_totp_setup(user)
    wrong = "000000" if code_at(secret, NOW) != "000000" else "111111"
    assert ops.enable_totp(user, wrong) is False
    assert user.totp_enabled is False
    assert events("two_factor_enabled") == []
    assert ops.enable_totp(user, code_at(secret, NOW)) is True
    db.session.commit()
    assert user.totp_enabled is True
    [event] = events("two_factor_enabled")
    assert event.actor_id == user.id
    # Setting up again (e.g. a new phone) makes a new secret and turns the old one off.
    assert ops.start_totp_setup(user) != secret
    assert user.totp_enabled is False
