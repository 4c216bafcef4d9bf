"""Translated names for the domain's codes (phases, roles, district kinds)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PHASES = {
    "draft": _l("In preparation"),
    "ideas": _l("Send in ideas"),
    "review": _l("Ideas are being checked"),
    "voting": _l("Voting"),
    "counting": _l("Votes are being counted"),
    "results": _l("Results"),
    "implementation": _l("Being carried out"),
    "closed": _l("Closed"),
}

ROLES = {
    "resident": _l("Resident"),
    "reviewer": _l("Reviewer (civil servant)"),
    "moderator": _l("Moderator"),
    "admin": _l("Process administrator"),
    "council": _l("Council member"),
}

DISTRICT_KINDS = {
    "wijk": _l("neighbourhood"),
    "dorp": _l("village"),
    "kern": _l("village centre"),
    "gemeente": _l("whole municipality"),
}


def label(table: dict[str, object], code: str) -> str:
    return str(table.get(str(code), code))
