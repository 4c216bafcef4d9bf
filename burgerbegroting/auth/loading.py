"""Flask-Login set-up: load users by id and session version."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from burgerbegroting.auth.models import User
from burgerbegroting.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    raw_id, _sep, version = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != version:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")  # type: ignore[assignment]
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
