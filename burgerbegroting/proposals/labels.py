"""Translated names for themes, statuses and sort orders of proposals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from burgerbegroting.reviews.labels import STATUSES  # one set of status names for every page

THEMES = {
    "green": _l("Green and nature"),
    "traffic": _l("Traffic and parking"),
    "play": _l("Play"),
    "sport": _l("Sport and exercise"),
    "culture": _l("Culture and meeting"),
    "care": _l("Care and wellbeing"),
    "safety": _l("Safety"),
    "sustainability": _l("Sustainability"),
    "other": _l("Other"),
}

SORTS = {
    "newest": _l("Newest first"),
    "support": _l("Most support"),
    "cost_asc": _l("Cost: low to high"),
    "cost_desc": _l("Cost: high to low"),
    "title": _l("Title (A–Z)"),
}

__all__ = ["SORTS", "STATUSES", "THEMES", "label"]


def label(table: dict[str, object], code: str | None) -> str:
    return str(table.get(str(code), code or ""))
