"""Small helpers for thin views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_login import current_user
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

from burgerbegroting.core.permissions import ALL_ROLES, Action, may


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number larger than an INTEGER column holds is a 404, not a
    database error (SQLite and PostgreSQL both refuse it in a query)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_htmx() -> bool:
    """An htmx request that wants a fragment. A history restore (the back button after
    ``hx-push-url``, with htmx's history cache off) needs the whole page."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(template: str, status: int = 200, block: str | None = None, **context: Any) -> tuple[str, int]:
    """Render the whole page, or only ``block`` of it for an htmx request."""
    if block is not None and is_htmx():
        return render_block(template, block, **context), status
    return render_template(template, **context), status


def safe_next(target: str | None, default: str) -> str:
    """Only follow ``next`` to a path on this site (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


def current_roles() -> set[str]:
    if current_user.is_authenticated:
        return set(current_user.role_names)
    return set()


def require(action: Action, round_: Any = None) -> None:
    """Refuse the request unless the current user may do ``action`` now.

    Anonymous users are sent to the login page when a logged-in user could do it; everyone
    else gets 403. For phase-bound actions ``round_`` says which round (its phase counts).
    """
    phase = round_.phase_at() if round_ is not None else None
    if may(current_roles(), action, phase):
        return
    if not current_user.is_authenticated and may(ALL_ROLES, action, phase):
        from burgerbegroting.extensions import login_manager

        abort(login_manager.unauthorized())
    abort(403)
