"""Staff accounts and roles (process administrators only), and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.models import User, UserRole
from burgerbegroting.core import audit
from burgerbegroting.core.permissions import STAFF_ROLES, Action, Role
from burgerbegroting.core.web import render, require
from burgerbegroting.extensions import db
from burgerbegroting.staff.forms import NewStaffForm, RolesForm

bp = Blueprint("staff", __name__, url_prefix="/beheer")

PAGE_SIZE = 50


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    require(Action.VIEW_STAFF_AREA)
    return render("staff/index.html")


@bp.get("/medewerkers")
def staff_list():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_STAFF)
    staff_ids = sa.select(UserRole.user_id).where(UserRole.role.in_([r.value for r in STAFF_ROLES]))
    users = db.session.scalars(sa.select(User).where(User.id.in_(staff_ids)).order_by(User.name)).all()
    return render("staff/list.html", users=users)


@bp.route("/medewerkers/nieuw", methods=["GET", "POST"])
def staff_new():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_STAFF)
    form = NewStaffForm()
    if not form.validate_on_submit():
        return render("staff/new.html", form=form, status=422 if form.is_submitted() else 200)
    try:
        ops.create_staff(form.email.data, form.name.data, form.password.data,
                         {Role(r) for r in form.roles.data}, actor_id=current_user.id)
    except ops.EmailTaken:
        db.session.rollback()
        form.email.errors.append(_("There is already an account with this e-mail address. "
                                   "Change the roles of that account instead."))
        return render("staff/new.html", form=form, status=422)
    db.session.commit()
    flash(_("The account has been created."), "success")
    return redirect(url_for("staff.staff_list"), 303)


@bp.route("/accounts/<int:user_id>/rollen", methods=["GET", "POST"])
def user_roles(user_id: int):  # type: ignore[no-untyped-def]
    require(Action.MANAGE_STAFF)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RolesForm(data={"roles": sorted(user.role_names)} if request.method == "GET" else None)
    if not form.validate_on_submit():
        return render("staff/roles.html", form=form, user=user, status=422 if form.is_submitted() else 200)
    roles = {Role(r) for r in form.roles.data}
    if user.id == current_user.id and Role.ADMIN not in roles:
        form.roles.errors.append(_("You cannot take away your own administrator role. "
                                   "Ask another administrator."))
        return render("staff/roles.html", form=form, user=user, status=422)
    ops.set_roles(user, roles, actor_id=current_user.id)
    db.session.commit()
    flash(_("The roles have been saved."), "success")
    return redirect(url_for("staff.staff_list"), 303)


@bp.get("/accounts")
def account_search():  # type: ignore[no-untyped-def]
    require(Action.MANAGE_STAFF)
    query = (request.args.get("q") or "").strip()[:254]
    users: list[User] = []
    if query:
        matching = User.email.contains(query.lower(), autoescape=True)
        users = list(db.session.scalars(sa.select(User).where(matching).order_by(User.email).limit(PAGE_SIZE)))
    return render("staff/accounts.html", users=users, query=query, block="results")


@bp.get("/audit")
def audit_log():  # type: ignore[no-untyped-def]
    require(Action.VIEW_AUDIT_LOG)
    events = db.session.scalars(
        sa.select(audit.AuditEvent).order_by(audit.AuditEvent.seq.desc()).limit(200)
    ).all()
    ok, count, message = audit.verify()
    return render("staff/audit.html", events=events, chain_ok=ok, chain_count=count, chain_message=message)
