"""Translated names for verdicts and proposal statuses, as the review pages show them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

VERDICTS = {
    "feasible": _l("Feasible"),
    "feasible_with_changes": _l("Feasible with changes"),
    "not_feasible": _l("Not feasible"),
}

STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "not_enough_support": _l("Not enough support"),
    "in_review": _l("Being checked"),
    "feasible": _l("Feasible"),
    "not_feasible": _l("Not feasible"),
    "merged": _l("Merged with another proposal"),
    "withdrawn": _l("Withdrawn"),
    "selected": _l("Chosen"),
    "not_selected": _l("Not chosen"),
    "in_progress": _l("Being carried out"),
    "done": _l("Done"),
}
