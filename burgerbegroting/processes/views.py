"""Rounds: the admin pages (/beheer/rondes/...) and the public spelregels page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from burgerbegroting.core import formatting, labels
from burgerbegroting.core.permissions import Action, may
from burgerbegroting.core.web import current_roles, render, require
from burgerbegroting.extensions import db
from burgerbegroting.processes import audit_hooks, district_csv, operations, spelregels, texts
from burgerbegroting.processes.forms import (
    SCHEDULE_MESSAGES,
    ConfirmForm,
    DistrictForm,
    ImportForm,
    PhaseControlForm,
    RoundForm,
    ScheduleFormClass,
    format_local,
)
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase, ScheduleError

bp = Blueprint("processes", __name__)

audit_hooks.connect_signals()

CSV_MESSAGES = {
    "binary": lambda d: _("This is not a text file. Save the spreadsheet as CSV and try again."),
    "encoding": lambda d: _("The file could not be read as text (UTF-8 or Windows-1252). Save it as CSV UTF-8."),
    "empty": lambda d: _("The file is empty."),
    "too_big": lambda d: _("The file is too large (at most 1 MB)."),
    "unreadable": lambda d: _("The file is not a readable CSV file (%(detail)s).", detail=d),
    "missing_column": lambda d: _("The column “%(detail)s” is missing from the first row.", detail=d),
    "unknown_column": lambda d: _("The first row has an unknown column “%(detail)s”. Use name, kind, budget, "
                                  "postcodes.", detail=d),
    "duplicate_column": lambda d: _("A column appears twice in the first row."),
    "no_rows": lambda d: _("The file has a header row but no districts."),
    "too_many_rows": lambda d: _("The file has more than %(detail)s rows.", detail=d),
    "wrong_number_of_cells": lambda d: _("This row has %(detail)s cells; it must have as many as the first row.",
                                         detail=d),
    "missing_name": lambda d: _("The name is empty."),
    "name_too_long": lambda d: _("The name is longer than 120 characters."),
    "duplicate_in_file": lambda d: _("The name %(detail)s appears more than once in the file (first on that line).",
                                     detail=d),
    "duplicate_existing": lambda d: _("There is already a district called “%(detail)s” in this round.", detail=d),
    "unknown_kind": lambda d: _("Unknown kind “%(detail)s”. Use wijk, dorp, kern or gemeente.", detail=d),
    "bad_budget": lambda d: _("“%(detail)s” is not an amount in euros, like 25.000 or 1.234,50.", detail=d),
    "budget_not_positive": lambda d: _("The budget must be more than € 0."),
    "budget_too_large": lambda d: _("The budget “%(detail)s” is more than € 100 million.", detail=d),
    "bad_postcodes": lambda d: _("“%(detail)s” is not a postcode or postcode range, like 1234, 1234-1236 or "
                                 "1234AB-1234ZZ.", detail=d),
}


def _locale() -> str:
    return str(get_locale() or "nl")


def load_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def load_district(round_: Round, district_id: int) -> District:
    district = db.session.get(District, district_id)
    if district is None or district.round_id != round_.id:
        abort(404)
    return district


def locked_message(exc: operations.RuleLocked) -> str:
    what = ", ".join(str(texts.LOCKED_FIELDS.get(w, w)) for w in exc.what)
    return _("Voting has started, so this can no longer change: %(what)s. These are the rules residents vote "
             "by.", what=what)


# --- Rounds -----------------------------------------------------------------------------------


@bp.get("/beheer/rondes")
def admin_rounds():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())).all()
    return render("processes/admin_list.html", rounds=[(r, r.phase_at()) for r in rounds])


def _settings(form: RoundForm, slug: str) -> operations.RoundSettings:
    return operations.RoundSettings(slug=slug, **form.settings_data())


@bp.route("/beheer/rondes/nieuw", methods=["GET", "POST"])
def admin_round_new():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    form = RoundForm()
    if not form.validate_on_submit():
        return render("processes/round_form.html", form=form, round=None, locked=False,
                      status=422 if form.is_submitted() else 200)
    slug = form.slug.data or operations.slugify(form.name.data)
    if not slug:
        form.slug.errors.append(_("Enter a web address with letters or digits."))
        return render("processes/round_form.html", form=form, round=None, locked=False, status=422)
    try:
        round_ = operations.create_round(_settings(form, slug), actor_id=current_user.id)
    except operations.SlugTaken:
        db.session.rollback()
        form.slug.errors.append(_("Another round already uses this web address. Choose another one."))
        return render("processes/round_form.html", form=form, round=None, locked=False, status=422)
    db.session.commit()
    flash(_("The round has been created. Now set its phases and districts."), "success")
    return redirect(url_for("processes.admin_schedule", round_id=round_.id), 303)


def _round_form_data(round_: Round) -> dict[str, Any]:
    settings = operations.RoundSettings.of(round_)
    data: dict[str, Any] = dict(vars(settings))
    for key in ("min_choices", "max_choices", "points_total", "min_age", "min_supporters"):
        data[key] = "" if data[key] is None else str(data[key])
    return data


@bp.route("/beheer/rondes/<int:round_id>", methods=["GET", "POST"])
def admin_round_edit(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    locked = round_.rule_locked()
    if request.method == "GET":
        form = RoundForm(data=_round_form_data(round_))
        return render("processes/round_form.html", form=form, round=round_, locked=locked)
    form = RoundForm()
    if locked:
        # Locked settings are shown as text, not sent: keep the stored values unless a request
        # explicitly tries to change them (then the operation refuses it).
        stored = _round_form_data(round_)
        for key in operations.LOCKED_SETTINGS:
            if key not in request.form:
                form[key].data = stored[key]
        if "points_total" not in request.form:
            form.points_total.data = stored["points_total"]
    if not form.validate_on_submit():
        return render("processes/round_form.html", form=form, round=round_, locked=locked, status=422)
    slug = form.slug.data or operations.slugify(form.name.data) or round_.slug
    try:
        changes = operations.update_round(round_, _settings(form, slug), actor_id=current_user.id)
    except operations.RuleLocked as exc:
        db.session.rollback()
        return render("processes/round_form.html", form=form, round=round_, locked=True,
                      lock_error=locked_message(exc), status=422)
    except operations.SlugTaken:
        db.session.rollback()
        form.slug.errors.append(_("Another round already uses this web address. Choose another one."))
        return render("processes/round_form.html", form=form, round=round_, locked=locked, status=422)
    db.session.commit()
    flash(_("The round has been saved.") if changes else _("Nothing was changed."), "success")
    return redirect(url_for("processes.admin_round_edit", round_id=round_.id), 303)


# --- Schedule and phase control ---------------------------------------------------------------------


def _schedule_form_data(round_: Round) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for window in round_.phases:
        data[f"{window.phase}_on"] = True
        data[f"{window.phase}_start"] = format_local(window.starts_at)
        data[f"{window.phase}_end"] = format_local(window.ends_at)
    return data


def _schedule_page(round_: Round, form: Any, control: PhaseControlForm, status: int = 200,
                   control_error: str | None = None):  # type: ignore[no-untyped-def]
    phase = round_.phase_at()
    return render("processes/schedule.html", round=round_, form=form, control=control, phase=phase,
                  next_phase=operations.next_phase(round_), control_error=control_error, status=status)


@bp.route("/beheer/rondes/<int:round_id>/fasen", methods=["GET", "POST"])
def admin_schedule(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    control = PhaseControlForm(formdata=None)
    if request.method == "GET":
        return _schedule_page(round_, ScheduleFormClass(data=_schedule_form_data(round_)), control)
    form = ScheduleFormClass()
    if not form.validate_on_submit():
        return _schedule_page(round_, form, control, 422)
    windows = form.windows()
    if windows is None:
        return _schedule_page(round_, form, control, 422)
    try:
        changed = operations.set_schedule(round_, windows, actor_id=current_user.id)
    except ScheduleError as exc:
        db.session.rollback()
        for phase, problem in exc.problems.items():
            target = form[f"{phase.value}_start"] if phase != Phase.DRAFT else form["ideas_on"]
            if problem == "ends_before_start":
                target = form[f"{phase.value}_end"]
            target.errors = [*target.errors, str(SCHEDULE_MESSAGES.get(problem, problem))]
        return _schedule_page(round_, form, control, 422)
    db.session.commit()
    flash(_("The phases have been saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("processes.admin_schedule", round_id=round_.id), 303)


@bp.post("/beheer/rondes/<int:round_id>/fase-wisselen")
def admin_phase_change(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    control = PhaseControlForm()
    schedule = ScheduleFormClass(formdata=None, data=_schedule_form_data(round_))
    if not control.validate_on_submit():
        return _schedule_page(round_, schedule, control, 422)
    expected = request.form.get("expected_phase", "")
    if expected and expected != round_.phase_at().value:
        return _schedule_page(round_, schedule, control, 409, control_error=_(
            "The phase changed in the meantime. Check the schedule and try again."))
    try:
        after = operations.change_phase_now(round_, control.reason.data, actor_id=current_user.id)
    except operations.PhaseChangeImpossible:
        db.session.rollback()
        return _schedule_page(round_, schedule, control, 422, control_error=_("This round is closed: "
                                                                               "there is no next phase."))
    db.session.commit()
    flash(_("The round is now in the phase: %(phase)s.", phase=labels.label(labels.PHASES, after.value)), "success")
    return redirect(url_for("processes.admin_schedule", round_id=round_.id), 303)


# --- Districts ------------------------------------------------------------------------------------


def _districts_page(round_: Round, form: DistrictForm | None = None, import_form: ImportForm | None = None,
                    status: int = 200, **extra: Any):  # type: ignore[no-untyped-def]
    return render("processes/districts.html", round=round_, locked=round_.rule_locked(),
                  form=form or DistrictForm(formdata=None), import_form=import_form or ImportForm(formdata=None),
                  delete_form=ConfirmForm(formdata=None), status=status, **extra)


@bp.get("/beheer/rondes/<int:round_id>/gebieden")
def admin_districts(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    return _districts_page(load_round(round_id))


@bp.post("/beheer/rondes/<int:round_id>/gebieden")
def admin_district_add(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    form = DistrictForm()
    if not form.validate_on_submit():
        return _districts_page(round_, form=form, status=422)
    try:
        operations.add_district(round_, form.name.data, form.kind.data, form.budget_cents, form.postcodes.data or "",
                                actor_id=current_user.id)
    except operations.RuleLocked as exc:
        db.session.rollback()
        return _districts_page(round_, form=form, status=422, lock_error=locked_message(exc))
    except operations.DuplicateDistrict:
        db.session.rollback()
        form.name.errors.append(_("There is already a district with this name in this round."))
        return _districts_page(round_, form=form, status=422)
    db.session.commit()
    flash(_("The district has been added."), "success")
    return redirect(url_for("processes.admin_districts", round_id=round_.id), 303)


@bp.route("/beheer/rondes/<int:round_id>/gebieden/<int:district_id>", methods=["GET", "POST"])
def admin_district_edit(round_id: int, district_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    district = load_district(round_, district_id)
    locked = round_.rule_locked()
    if request.method == "GET":
        form = DistrictForm(data={"name": district.name, "kind": district.kind, "postcodes": district.postcodes,
                                  "budget": formatting.euro(district.budget_cents, "nl").replace("€", "").strip()})
        return render("processes/district_edit.html", round=round_, district=district, form=form, locked=locked)
    form = DistrictForm()
    if not form.validate_on_submit():
        return render("processes/district_edit.html", round=round_, district=district, form=form, locked=locked,
                      status=422)
    try:
        operations.update_district(district, form.name.data, form.kind.data, form.budget_cents,
                                   form.postcodes.data or "", actor_id=current_user.id)
    except operations.RuleLocked as exc:
        db.session.rollback()
        return render("processes/district_edit.html", round=round_, district=district, form=form, locked=True,
                      lock_error=locked_message(exc), status=422)
    except operations.DuplicateDistrict:
        db.session.rollback()
        form.name.errors.append(_("There is already a district with this name in this round."))
        return render("processes/district_edit.html", round=round_, district=district, form=form, locked=locked,
                      status=422)
    db.session.commit()
    flash(_("The district has been saved."), "success")
    return redirect(url_for("processes.admin_districts", round_id=round_.id), 303)


@bp.post("/beheer/rondes/<int:round_id>/gebieden/<int:district_id>/verwijderen")
def admin_district_remove(round_id: int, district_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    district = load_district(round_, district_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.remove_district(district, actor_id=current_user.id)
        db.session.commit()
    except operations.RuleLocked as exc:
        db.session.rollback()
        return _districts_page(round_, status=422, lock_error=locked_message(exc))
    except sa.exc.IntegrityError:
        # Proposals refer to it.
        db.session.rollback()
        return _districts_page(round_, status=422, lock_error=_(
            "This district has plans, so it cannot be removed. Change it instead."))
    flash(_("The district has been removed."), "success")
    return redirect(url_for("processes.admin_districts", round_id=round_.id), 303)


@bp.post("/beheer/rondes/<int:round_id>/gebieden/import")
def admin_district_import(round_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    round_ = load_round(round_id)
    import_form = ImportForm()
    if not import_form.validate_on_submit():
        return _districts_page(round_, import_form=import_form, status=422)
    if round_.rule_locked():
        return _districts_page(round_, import_form=import_form, status=422,
                               lock_error=locked_message(operations.RuleLocked(["districts"])))
    upload = import_form.file.data
    try:
        data = upload.stream.read(district_csv.MAX_BYTES + 1)
    finally:
        upload.close()
    try:
        parsed = district_csv.parse_districts_csv(data, {d.name for d in round_.districts})
    except district_csv.CsvError as exc:
        problems = [(p.line, CSV_MESSAGES[p.code](p.detail)) for p in exc.problems]
        import_form.file.errors.append(ngettext("The file has %(num)d problem. Nothing has been imported.",
                                                "The file has %(num)d problems. Nothing has been imported.",
                                                len(problems)))
        return _districts_page(round_, import_form=import_form, status=422, csv_problems=problems,
                               csv_encoding=exc.encoding)
    try:
        operations.import_districts(round_, parsed.rows, actor_id=current_user.id, encoding=parsed.encoding)
    except operations.RuleLocked as exc:
        db.session.rollback()
        return _districts_page(round_, import_form=import_form, status=422, lock_error=locked_message(exc))
    db.session.commit()
    flash(ngettext("%(num)d district has been imported (file read as %(encoding)s).",
                   "%(num)d districts have been imported (file read as %(encoding)s).",
                   len(parsed.rows), encoding=parsed.encoding), "success")
    return redirect(url_for("processes.admin_districts", round_id=round_.id), 303)


@bp.get("/beheer/rondes/voorbeeld-gebieden.csv")
def admin_example_csv():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_ROUNDS)
    return Response(district_csv.EXAMPLE_CSV.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=voorbeeld-gebieden.csv"})


# --- Public: spelregels ------------------------------------------------------------------------------


@bp.get("/rondes/<slug>/spelregels")
def spelregels_page(slug: str):  # type: ignore[no-untyped-def]
    round_ = db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()
    if round_ is None:
        abort(404)
    phase = round_.phase_at()
    # A round in preparation is not public; its administrators can preview the rules.
    if phase == Phase.DRAFT and not may(current_roles(), Action.MANAGE_ROUNDS):
        abort(404)
    locale = _locale()
    lang = spelregels.Language(
        gettext=gettext, ngettext=ngettext,
        datetime=lambda value: formatting.local_datetime(value, locale, "d MMMM yyyy, HH:mm"),
        phase_label=lambda code: labels.label(labels.PHASES, code),
    )
    sections = spelregels.build(spelregels.RulesInput.of(round_, current_app.config["CONTACT_EMAIL"]), lang)
    return render("processes/spelregels.html", round=round_, phase=phase, sections=sections)

from burgerbegroting.processes import panel_views  # noqa: E402,F401
