"""Public pages: home, round overview, privacy and accessibility statements."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.core.web import render
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    now = utcnow()
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())).all()
    public = [(r, r.phase_at(now)) for r in rounds]
    public = [(r, phase) for r, phase in public if phase != Phase.DRAFT]
    return render("pages/home.html", rounds=public)


@bp.get("/rondes/<slug>")
def round_overview(slug: str):  # type: ignore[no-untyped-def]
    round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if round_ is None:
        abort(404)
    phase = round_.phase_at()
    if phase == Phase.DRAFT:
        abort(404)
    return render("pages/round.html", round=round_, phase=phase)


@bp.get("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    return render("pages/privacy.html")


@bp.get("/toegankelijkheid")
def accessibility():  # type: ignore[no-untyped-def]
    return render("pages/accessibility.html")


_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@bp.get("/theme.css")
def theme_css():  # type: ignore[no-untyped-def]
    """The municipality's own colour, from configuration (a file, so the CSP needs no inline style)."""
    colour = current_app.config["MUNICIPALITY_COLOUR"]
    if not _HEX_COLOUR.match(colour):
        colour = "#1d4f91"
    body = f".bb-theme {{ --bb-brand: {colour}; }}\n"
    return Response(body, mimetype="text/css", headers={"Cache-Control": "public, max-age=300"})
