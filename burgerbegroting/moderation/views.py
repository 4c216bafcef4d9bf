"""Reporting content (residents) and the moderation queue (moderators)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from burgerbegroting.core.permissions import Action
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db
from burgerbegroting.moderation import operations as ops
from burgerbegroting.moderation.forms import REASON_LABELS, ConfirmForm, HideForm, ReportForm
from burgerbegroting.moderation.models import Report
from burgerbegroting.moderation.notify import proposal_url

bp = Blueprint("moderation", __name__)

REFUSALS = {
    "reason_required": _l("Give the public reason for hiding it."),
    "reason_too_long": _l("A reason has at most 500 characters."),
    "already_hidden": _l("This has already been hidden."),
    "on_ballot": _l("This proposal is on the ballot while votes are being cast or counted. Hiding it now "
                    "would change the ballot that voters see, so it cannot be hidden until the votes have "
                    "been counted. Comments can still be hidden."),
    "not_hidden": _l("This is not hidden."),
    "no_open_reports": _l("There are no open reports on this."),
}


def _target(target_type: str, target_id: int) -> ops.Target:
    target = ops.load_target(target_type, target_id)
    if target is None:
        abort(404)
    return target


def _already_reported(target: ops.Target) -> bool:
    return db.session.scalar(sa.select(Report.id).where(
        Report.target_type == target.type, Report.target_id == target.id,
        Report.reporter_id == current_user.id)) is not None


@bp.route("/melden/<target_type>/<int:target_id>", methods=["GET", "POST"])
def report(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    target = _target(target_type, target_id)
    require(Action.REPORT_CONTENT, target.proposal.round)
    back = proposal_url(target.proposal.id)
    if _already_reported(target):
        return render("moderation/report.html", target=target, form=None, back=back, already=True)
    form = ReportForm()
    if not form.validate_on_submit():
        return render("moderation/report.html", target=target, form=form, back=back, already=False,
                      status=422 if form.is_submitted() else 200)
    try:
        ops.file_report(target, current_user.id, form.reason.data, form.explanation.data or "")
        db.session.commit()
    except (ops.AlreadyReported, IntegrityError):
        db.session.rollback()
        return render("moderation/report.html", target=target, form=None, back=back, already=True)
    flash(_("Thank you. A moderator will look at your report."), "success")
    return redirect(back, 303)


def _queue_page(status: int = 200, failed: str | None = None, hide_form: HideForm | None = None,
                error: str | None = None):  # type: ignore[no-untyped-def]
    return render("moderation/queue.html", status=status, items=ops.queue(), failed=failed,
                  hide_form=hide_form or HideForm(formdata=None), confirm_form=ConfirmForm(formdata=None),
                  error=error, reason_label=lambda c: str(REASON_LABELS.get(c, c)), proposal_url=proposal_url)


@bp.get("/beheer/moderatie")
def queue():  # type: ignore[no-untyped-def]
    require(Action.MODERATE)
    return _queue_page()


@bp.post("/beheer/moderatie/<target_type>/<int:target_id>/verbergen")
def hide(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    require(Action.MODERATE)
    target = _target(target_type, target_id)
    form = HideForm()
    if not form.validate_on_submit():
        return _queue_page(422, failed=target.key, hide_form=form)
    try:
        ops.hide(target, current_user.id, form.reason.data)
    except ops.ModerationRefused as exc:
        db.session.rollback()
        message = str(REFUSALS.get(exc.code, exc.code))
        if exc.code == "on_ballot":
            return _queue_page(409, failed=target.key, hide_form=form, error=message)
        form.reason.errors = [*form.reason.errors, message]
        return _queue_page(422, failed=target.key, hide_form=form)
    db.session.commit()
    flash(_("It has been hidden and the author has been told."), "success")
    return redirect(url_for("moderation.queue"), 303)


@bp.post("/beheer/moderatie/<target_type>/<int:target_id>/afwijzen")
def dismiss(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    require(Action.MODERATE)
    target = _target(target_type, target_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.dismiss(target, current_user.id)
    except ops.ModerationRefused as exc:
        db.session.rollback()
        flash(str(REFUSALS.get(exc.code, exc.code)), "error")
        return redirect(url_for("moderation.queue"), 303)
    db.session.commit()
    flash(_("The reports have been dismissed; it stays visible."), "success")
    return redirect(url_for("moderation.queue"), 303)


@bp.get("/beheer/moderatie/verborgen")
def hidden():  # type: ignore[no-untyped-def]
    require(Action.MODERATE)
    return render("moderation/hidden.html", items=ops.hidden_items(), confirm_form=ConfirmForm(formdata=None),
                  proposal_url=proposal_url)


@bp.post("/beheer/moderatie/<target_type>/<int:target_id>/herstellen")
def restore(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    require(Action.MODERATE)
    target = _target(target_type, target_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        ops.restore(target, current_user.id)
    except ops.ModerationRefused as exc:
        db.session.rollback()
        flash(str(REFUSALS.get(exc.code, exc.code)), "error")
        return redirect(url_for("moderation.hidden"), 303)
    db.session.commit()
    flash(_("It is visible again and the author has been told."), "success")
    return redirect(url_for("moderation.hidden"), 303)
