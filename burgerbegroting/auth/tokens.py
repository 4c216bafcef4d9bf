"""Signed, expiring tokens for e-mail links (confirmation, password reset)."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from burgerbegroting.auth.models import User
from burgerbegroting.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"burgerbegroting-{purpose}")


def _fingerprint(user: User, purpose: str) -> str:
    # A reset link stops working once the password changed (single use); a confirmation
    # link once the address changed.
    source = user.password_hash if purpose == "reset" else user.email
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"id": user.id, "f": _fingerprint(user, purpose)})


def read_token(token: str, purpose: str, max_age: int) -> User | None:
    """The user the token was made for, or None if it is invalid, expired or used."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    user = db.session.get(User, data["id"])
    if user is None or data.get("f") != _fingerprint(user, purpose):
        return None
    return user
