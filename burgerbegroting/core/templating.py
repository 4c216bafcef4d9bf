"""Template filters and globals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, request
from flask_babel import get_locale

from burgerbegroting.core import formatting, labels
from burgerbegroting.core.permissions import Action, may
from burgerbegroting.core.web import current_roles


def _locale() -> str:
    return str(get_locale() or "nl")


def _current_path() -> str:
    """Where the language switch returns to; only the path when the query string is not
    UTF-8 (the 400 page for such a request must still render)."""
    try:
        return request.full_path.rstrip("?")
    except UnicodeDecodeError:
        return request.path


def init_app(app: Flask) -> None:
    @app.template_filter("euro")
    def euro_filter(cents: int, whole: bool = False) -> str:
        return formatting.euro(cents, _locale(), whole=whole)

    @app.template_filter("datetime")
    def datetime_filter(value: dt.datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return formatting.local_datetime(value, _locale(), fmt)

    @app.context_processor
    def globals_() -> dict[str, Any]:
        from burgerbegroting.auth.forms import LanguageForm

        def can(action: str, round_: Any = None) -> bool:
            phase = round_.phase_at() if round_ is not None else None
            return may(current_roles(), Action(action), phase)

        return {
            "can": can,
            "phase_label": lambda code: labels.label(labels.PHASES, code),
            "role_label": lambda code: labels.label(labels.ROLES, code),
            "district_kind_label": lambda code: labels.label(labels.DISTRICT_KINDS, code),
            "current_locale": _locale(),
            "municipality": {
                "name": current_app.config["MUNICIPALITY_NAME"],
                "logo_url": current_app.config["MUNICIPALITY_LOGO_URL"],
                "contact_email": current_app.config["CONTACT_EMAIL"],
            },
            "language_form": LanguageForm(formdata=None, lang=_locale(), next=_current_path()),
        }
