"""Account use cases. Each one changes objects and flushes; the caller commits."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import sqlalchemy as sa

from burgerbegroting.auth.models import User, UserRole, new_session_version
from burgerbegroting.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from burgerbegroting.core import signals
from burgerbegroting.core.permissions import Role
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db


class EmailTaken(Exception):
    """Another account uses this e-mail address."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()


def register_resident(email: str, name: str, password: str, locale: str) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, name=name.strip(), password_hash=hash_password(password), locale=locale)
    user.roles.append(UserRole(role=Role.RESIDENT.value))
    try:
        # Added inside the savepoint, so losing a race leaves the session usable.
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError as exc:  # a concurrent registration won the race
        raise EmailTaken(email) from exc
    signals.user_registered.send(user)
    return user


def create_staff(email: str, name: str, password: str, roles: set[Role], actor_id: int | None) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        email_confirmed_at=utcnow(),
    )
    user.roles.extend(UserRole(role=r.value) for r in sorted(roles))
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        raise EmailTaken(email) from exc
    signals.staff_created.send(user, actor_id=actor_id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None. Takes the same time either way."""
    user = find_user_by_email(email)
    if user is None:
        burn_time(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


def confirm_email(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version = new_session_version()


def update_profile(user: User, name: str, locale: str) -> None:
    user.name = name.strip()
    user.locale = locale


def set_roles(user: User, roles: set[Role], actor_id: int | None) -> None:
    wanted = {r.value for r in roles}
    current = user.role_names
    if wanted == current:
        return
    for role in list(user.roles):
        if role.role not in wanted:
            user.roles.remove(role)
    for name in sorted(wanted - current):
        user.roles.append(UserRole(role=name))
    # Losing a role must take effect at once, also in other sessions.
    user.session_version = new_session_version()
    db.session.flush()
    signals.roles_changed.send(user, actor_id=actor_id, roles=sorted(wanted))


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about this person (AVG art. 15 and 20)."""
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "language": user.locale,
            "roles": sorted(user.role_names),
            "created_at": user.created_at.isoformat(),
            "email_confirmed_at": user.email_confirmed_at.isoformat() if user.email_confirmed_at else None,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "two_factor_enabled": user.totp_enabled,
        },
    }


def export_personal_data_json(user: User) -> str:
    return json.dumps(export_personal_data(user), indent=2, ensure_ascii=False)


def delete_account(user: User) -> None:
    """Erase the account (AVG art. 17). Anonymous ballots are never linked to it."""
    user_id = user.id
    db.session.delete(user)
    db.session.flush()
    signals.user_deleted.send(None, user_id=user_id)


# Two-factor login (TOTP) --------------------------------------------------------------

def start_totp_setup(user: User) -> str:
    if not user.totp_secret or user.totp_enabled:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled = False
    return user.totp_secret


def totp_uri(user: User, issuer: str) -> str:
    assert user.totp_secret
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer)


def check_totp(user: User, code: str) -> bool:
    """Accept a current code once (one step of clock drift either way)."""
    if not user.totp_secret:
        return False
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def enable_totp(user: User, code: str) -> bool:
    if not check_totp(user, code):
        return False
    user.totp_enabled = True
    signals.two_factor_enabled.send(user)
    return True
