"""Voting codes: residents enter theirs (/stemmen), admins make letters (/beheer/rondes/<id>/stemcodes)."""

from __future__ import annotations

import datetime as dt
import time

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import orm

from burgerbegroting.core.permissions import Action
from burgerbegroting.core.timeutil import AMSTERDAM, utcnow
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db, limiter
from burgerbegroting.jobs import queue as jobs_queue
from burgerbegroting.jobs.forms import LettersJobForm
from burgerbegroting.jobs.views import after_start
from burgerbegroting.processes.district_csv import CsvError
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase
from burgerbegroting.processes.postcodes import PostcodeError, parse_ranges
from burgerbegroting.voters import audit_hooks, eligibility, flow, letters, operations, register_csv
from burgerbegroting.voters.forms import CodeForm, DeclarationForm, GenerateForm, RegisterForm, ReissueForm
from burgerbegroting.voters.models import Participation, RegisterEntry

bp = Blueprint("voters", __name__)

audit_hooks.connect_signals()


def code_message(reason: str) -> str:
    """What a resident reads when a code is refused (``CodeRefused.reason``)."""
    messages = {
        "empty": _("Enter the voting code from your letter."),
        "wrong_length": _("A voting code has 13 letters and digits, like XXXX-XXXX-XXXX-X. Check the code."),
        "bad_character": _("This code contains a character that does not appear in voting codes. Check the code."),
        "check_failed": _("This code contains a typing error. Check the code and try again."),
        "unknown": _("We do not know this code. Check the code in your letter."),
        "used": _("This code has been used already. Each code can vote once."),
        "revoked": _("This code is no longer valid, because a new letter was sent. Use the code from the new "
                     "letter."),
        "other_round": _("This code is for another round. Check that you chose the right round."),
    }
    return messages.get(reason, messages["unknown"])


def _vote_rate_limit() -> str:
    return str(current_app.config["VOTE_CODE_RATE_LIMIT"])


def refused(response: Response) -> bool:
    """Only refused codes count towards the rate limit."""
    return response.status_code == 422


def load_round_by_slug(slug: str) -> Round:
    # The phases in the same query: every voting page checks the phase.
    round_ = db.session.scalars(
        sa.select(Round).where(Round.slug == slug).options(orm.joinedload(Round.phases))
    ).unique().first()
    if round_ is None or round_.phase_at() == Phase.DRAFT:
        abort(404)
    return round_


def voting_rounds() -> list[Round]:
    now = utcnow()
    rounds = db.session.scalars(sa.select(Round).where(Round.decision == "vote").order_by(Round.name)).all()
    return [r for r in rounds if r.phase_at(now) == Phase.VOTING]


def closed_page(round_: Round):  # type: ignore[no-untyped-def]
    window = round_.window(Phase.VOTING)
    now = utcnow()
    if round_.decision != "vote":
        state = "panel"
    elif window is None:
        state = "none"
    else:
        state = "not_yet" if window.starts_at > now else "ended"
    return render("voters/closed.html", 403, round=round_, window=window, state=state)


@bp.get("/stemmen")
def choose_round():  # type: ignore[no-untyped-def]
    rounds = voting_rounds()
    code = request.args.get("code", "")[:40]
    if len(rounds) == 1:
        return redirect(url_for("voters.enter", slug=rounds[0].slug, code=code or None), 302)
    return render("voters/choose_round.html", rounds=rounds, code=code)


@bp.route("/stemmen/<slug>", methods=["GET", "POST"])
@limiter.limit(_vote_rate_limit, methods=["POST"], deduct_when=refused)
def enter(slug: str):  # type: ignore[no-untyped-def]
    round_ = load_round_by_slug(slug)
    if round_.decision != "vote" or round_.phase_at() != Phase.VOTING:
        return closed_page(round_)
    if round_.eligibility == "account":
        return _declaration(round_)
    form = CodeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:40]
    if not form.validate_on_submit():
        return render("voters/enter_code.html", 422 if form.is_submitted() else 200, round=round_, form=form)
    try:
        code = operations.find_code(round_, form.code.data)
    except operations.CodeRefused as exc:
        form.code.errors.append(code_message(exc.reason))
        return render("voters/enter_code.html", 422, round=round_, form=form)
    flow.start(round_, code.district_id, f"code:{code.id}")
    return redirect(url_for("ballots.ballot", slug=round_.slug), 303)


def _declaration(round_: Round):  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        require(Action.CAST_BALLOT, round_)  # anonymous: not refused by role; log in first
        return redirect(url_for("auth.login", next=request.path), 302)
    voter_ref = f"user:{current_user.id}"
    voted = db.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
        Participation.round_id == round_.id, Participation.voter_ref == voter_ref))
    if voted:
        return render("voters/has_voted.html", 409, round=round_)
    form = DeclarationForm()
    if not form.validate_on_submit():
        return render("voters/declaration.html", 422 if form.is_submitted() else 200, round=round_, form=form)
    postcode = eligibility.normalise_postcode(form.postcode.data)
    district = eligibility.district_for_postcode(round_.districts, postcode or "")
    if district is None:
        form.postcode.errors.append(_("This postcode is not in the area of this round. You can only vote for the "
                                      "area where you live."))
    window = round_.window(Phase.VOTING)
    first_day = (window.starts_at if window else utcnow()).astimezone(AMSTERDAM).date()
    if round_.min_age and eligibility.age_on(form.birth, first_day) < round_.min_age:
        form.birth_date.errors.append(_("You must be %(age)d years or older to vote in this round.",
                                        age=round_.min_age))
    if form.errors:
        return render("voters/declaration.html", 422, round=round_, form=form)
    assert district is not None  # form validation found the district
    flow.start(round_, district.id, voter_ref)
    return redirect(url_for("ballots.ballot", slug=round_.slug), 303)


# Admin: letters with voting codes. ------------------------------------------------------------

def load_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def _district(round_: Round, value: str | None) -> District:
    district = db.session.get(District, int(value)) if value and value.isdigit() and len(value) < 10 else None
    if district is None or district.round_id != round_.id:
        abort(404)
    return district


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })


def _admin_page(round_: Round, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    query = request.args.get("q", "")[:100]
    context = {
        "generate_form": forms.get("generate_form") or GenerateForm(round_, formdata=None),
        "register_form": forms.get("register_form") or RegisterForm(round_, formdata=None),
        "reissue_form": forms.get("reissue_form") or ReissueForm(formdata=None),
        "letters_job_form": forms.get("letters_job_form") or LettersJobForm(round_, formdata=None),
        "csv_problems": forms.get("csv_problems", []),
    }
    return render("voters/admin.html", status, round=round_, counts=operations.code_counts(round_), query=query,
                  matches=operations.search_register(round_, query) if query else [], **context)


@bp.get("/beheer/rondes/<int:round_id>/stemcodes")
def admin(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.MANAGE_VOTING_CODES, round_)
    return _admin_page(round_)


@bp.post("/beheer/rondes/<int:round_id>/stemcodes/maken")
def generate(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.MANAGE_VOTING_CODES, round_)
    form = GenerateForm(round_)
    if not form.validate_on_submit():
        return _admin_page(round_, 422, generate_form=form)
    district = _district(round_, form.district.data)
    started = time.monotonic()
    made = operations.generate_codes(round_, district, form.count.data, actor_id=current_user.id)
    pdf = letters.letters_pdf(round_, district, [(plain, None) for plain, _row in made])
    db.session.commit()
    current_app.logger.info("Made %d voting-code letters in %.1f s", len(made), time.monotonic() - started)
    return _pdf(pdf, f"stemcodes-{round_.slug}-{district.id}-{made[0][1].batch_no}.pdf")


CSV_MESSAGES = {
    "binary": lambda d: _("This is not a text file. Save the spreadsheet as CSV and try again."),
    "encoding": lambda d: _("The file could not be read as text (UTF-8 or Windows-1252). Save it as CSV UTF-8."),
    "empty": lambda d: _("The file is empty."),
    "too_big": lambda d: _("The file is too large (at most %(detail)s).", detail=d),
    "unreadable": lambda d: _("The file is not a readable CSV file (%(detail)s).", detail=d),
    "missing_column": lambda d: _("The column “%(detail)s” is missing from the first row.", detail=d),
    "unknown_column": lambda d: _("The first row has an unknown column “%(detail)s”. Use name, street, postcode, "
                                  "city.", detail=d),
    "duplicate_column": lambda d: _("A column appears twice in the first row."),
    "no_rows": lambda d: _("The file has a header row but no people."),
    "too_many_rows": lambda d: _("The file has more than %(detail)s rows.", detail=d),
    "wrong_number_of_cells": lambda d: _("This row has %(detail)s cells; it must have as many as the first row.",
                                         detail=d),
    "missing_name": lambda d: _("The name is empty."),
    "missing_street": lambda d: _("The street is empty."),
    "missing_city": lambda d: _("The city is empty."),
    "too_long": lambda d: _("The %(detail)s is too long.", detail=d),
    "bad_postcode": lambda d: _("“%(detail)s” is not a postcode like 9901 AB.", detail=d),
    "postcode_outside": lambda d: _("The postcode %(detail)s is not in this district.", detail=d),
}


@bp.post("/beheer/rondes/<int:round_id>/stemcodes/register")
def from_register(round_id: int):  # type: ignore[no-untyped-def]
    """Check the whole file here (every problem, nothing stored on any); the letters for its
    rows are made by a background job, which stores the entries and codes when the PDF is done."""
    round_ = load_round(round_id)
    require(Action.MANAGE_VOTING_CODES, round_)
    form = RegisterForm(round_)
    if not form.validate_on_submit():
        return _admin_page(round_, 422, register_form=form)
    district = _district(round_, form.district.data)
    try:
        ranges = parse_ranges(district.postcodes or "")
    except PostcodeError:
        ranges = []
    max_rows = current_app.config["MAX_LETTERS_PER_JOB"]
    try:
        rows = register_csv.parse_register_csv(form.file.data.read(register_csv.max_bytes(max_rows) + 1), ranges,
                                               max_rows=max_rows)
    except CsvError as exc:
        problems = [(p.line, CSV_MESSAGES.get(p.code, CSV_MESSAGES["unreadable"])(p.detail))
                    for p in exc.problems[:100]]
        form.file.errors.append(ngettext("The file has %(num)d problem; nothing was stored.",
                                         "The file has %(num)d problems; nothing was stored.", len(exc.problems)))
        return _admin_page(round_, 422, register_form=form, csv_problems=problems)
    # The rows (names and addresses) stay with the job only until it is done or failed.
    payload = {"rows": [[r.line, r.name, r.street, r.postcode, r.city] for r in rows]}
    job = jobs_queue.start("register_letters", round_, {"district_id": district.id, "count": len(rows)},
                           current_user.id, payload=payload)
    return after_start(job)


REISSUE_MESSAGES = {
    "used": lambda: _("This code has been used: this person has voted. A new letter cannot be made."),
    "revoked": lambda: _("This code was replaced already. Search for the person to find the newest code."),
    "unknown": lambda: _("There is no such code in this round. Check the code."),
}


@bp.post("/beheer/rondes/<int:round_id>/stemcodes/vervangen")
def reissue(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.MANAGE_VOTING_CODES, round_)
    form = ReissueForm()
    if not form.validate_on_submit():
        return _admin_page(round_, 422, reissue_form=form)
    code = None
    entry = None
    if form.entry.data:
        entry = db.session.get(RegisterEntry, form.entry.data)
        if entry is None or entry.round_id != round_.id:
            abort(404)
        code = next((c for e, c in operations.search_register(round_, entry.postcode) if e.id == entry.id), None)
    else:
        code = operations.code_by_typed(round_, form.code.data)
    if code is None:
        form.code.errors.append(REISSUE_MESSAGES["unknown"]())
        return _admin_page(round_, 422, reissue_form=form)
    try:
        plain = operations.revoke_and_reissue(code, actor_id=current_user.id)
    except operations.CodeRefused as exc:
        form.code.errors.append(REISSUE_MESSAGES.get(exc.reason, REISSUE_MESSAGES["unknown"])())
        return _admin_page(round_, 422, reissue_form=form)
    district = db.session.get(District, code.district_id)
    assert district is not None
    if entry is None and code.register_entry_id:
        entry = db.session.get(RegisterEntry, code.register_entry_id)
    pdf = letters.letters_pdf(round_, district, [(plain, entry)])
    db.session.commit()
    return _pdf(pdf, f"stemcode-vervangen-{round_.slug}-{dt.date.today().isoformat()}.pdf")
