"""Admin pages for background jobs: start, follow the progress, download the result."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import undefer

from burgerbegroting.core.permissions import Action
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db
from burgerbegroting.jobs import messages, queue
from burgerbegroting.jobs.forms import DeleteResultForm, LettersJobForm, StartForm
from burgerbegroting.jobs.models import Job
from burgerbegroting.processes.models import District, Round

bp = Blueprint("jobs", __name__)


def load_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


def load_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def _purge_expired() -> None:
    """A letters PDF (plain codes) lives at most JOB_RESULT_HOURS, also when no job was started
    since and the hourly `flask jobs purge` is not (yet) set up."""
    if queue.purge_results():
        db.session.commit()


def after_start(job: Job):  # type: ignore[no-untyped-def]
    if job.status == "failed":
        flash(messages.error_message(job.error), "error")
    elif job.status == "done":
        flash(_("The job is finished."), "success")
    else:
        flash(_("The job has been started. This page shows how far it is."), "success")
    return redirect(url_for("jobs.detail", job_id=job.id), 303)


@bp.get("/beheer/taken")
def index():  # type: ignore[no-untyped-def]
    require(Action.VIEW_JOBS)
    if queue.mark_interrupted():
        db.session.commit()
    jobs = db.session.scalars(sa.select(Job).order_by(Job.id.desc()).limit(100)).all()
    rounds = {r.id: r for r in db.session.scalars(sa.select(Round).where(
        Round.id.in_({j.round_id for j in jobs if j.round_id is not None})))}
    return render("jobs/index.html", jobs=jobs, rounds=rounds, messages=messages)


@bp.get("/beheer/taken/<int:job_id>")
def detail(job_id: int):  # type: ignore[no-untyped-def]
    require(Action.VIEW_JOBS)
    job = load_job(job_id)
    if job.has_result:  # not while the page polls a running job: no write on every poll
        _purge_expired()
        job = load_job(job_id)
    round_ = db.session.get(Round, job.round_id) if job.round_id is not None else None
    response = render("jobs/detail.html", block="status", job=job, round=round_, messages=messages,
                      delete_form=DeleteResultForm())
    return response


@bp.get("/beheer/taken/<int:job_id>/bestand")
def download(job_id: int):  # type: ignore[no-untyped-def]
    require(Action.VIEW_JOBS)
    _purge_expired()
    job = db.session.scalars(sa.select(Job).where(Job.id == job_id).options(undefer(Job.result))).first()
    if job is None or not job.has_result or job.result is None:
        abort(404)
    return Response(job.result, mimetype=job.result_type or "application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{job.result_name}"',
        "Cache-Control": "no-store",
    })


@bp.post("/beheer/taken/<int:job_id>/bestand/verwijderen")
def delete_result(job_id: int):  # type: ignore[no-untyped-def]
    require(Action.VIEW_JOBS)
    job = load_job(job_id)
    if not DeleteResultForm().validate_on_submit():
        flash(_("The form has expired. Try again."), "error")
        return redirect(url_for("jobs.detail", job_id=job.id), 303)
    job.result = None
    job.result_name = None
    job.result_type = None
    db.session.commit()
    flash(_("The file has been deleted."), "success")
    return redirect(url_for("jobs.detail", job_id=job.id), 303)


@bp.post("/beheer/rondes/<int:round_id>/stemcodes/achtergrond")
def start_letters(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.MANAGE_VOTING_CODES, round_)
    form = LettersJobForm(round_)
    if not form.validate_on_submit():
        from burgerbegroting.voters.views import _admin_page

        return _admin_page(round_, 422, letters_job_form=form)
    district = db.session.get(District, int(form.district.data))
    if district is None or district.round_id != round_.id:
        abort(404)
    job = queue.start("letters", round_, {"district_id": district.id, "count": form.count.data}, current_user.id)
    return after_start(job)


@bp.post("/beheer/rondes/<int:round_id>/telling/achtergrond")
def start_count(round_id: int):  # type: ignore[no-untyped-def]
    round_ = load_round(round_id)
    require(Action.RUN_COUNT, round_)
    if not StartForm().validate_on_submit():
        flash(_("The form has expired. Try again."), "error")
        return redirect(url_for("results.admin_count", slug=round_.slug), 303)
    job = queue.start("count", round_, {}, current_user.id)
    return after_start(job)
