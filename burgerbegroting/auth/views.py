"""Login, registration, password reset, profile, personal data, two-factor login."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from burgerbegroting.auth import operations as ops
from burgerbegroting.auth.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TotpForm,
)
from burgerbegroting.auth.models import User
from burgerbegroting.auth.passwords import verify_password
from burgerbegroting.auth.tokens import make_token, read_token
from burgerbegroting.core.mail import Mail, send_mail
from burgerbegroting.core.web import render, safe_next
from burgerbegroting.extensions import db, limiter

bp = Blueprint("auth", __name__)

_PENDING = "pending_2fa"


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _reset_limit() -> str:
    return str(current_app.config["RESET_RATE_LIMIT"])


def _register_limit() -> str:
    return str(current_app.config["REGISTER_RATE_LIMIT"])


def _needs_two_factor(user: User) -> bool:
    return user.is_staff and (current_app.config["REQUIRE_STAFF_2FA"] or user.totp_enabled)


def _finish_login(user: User, remember: bool) -> None:
    session.clear()  # a fresh session on login: no fixation
    login_user(user, remember=remember)
    ops.record_login(user)
    db.session.commit()


def _send_confirmation(user: User) -> None:
    link = url_for("auth.confirm", token=make_token(user, "confirm"), _external=True)
    send_mail(Mail(
        to=user.email,
        subject=_("Confirm your e-mail address"),
        body=_("Hello %(name)s,\n\nPlease confirm your e-mail address by opening this link:\n%(link)s\n\n"
               "Did you not create an account? Then you can ignore this e-mail.",
               name=user.name, link=link),
    ))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("pages.home"))
    if not form.validate_on_submit():
        return render("auth/login.html", form=form, next_url=next_url,
                      status=422 if form.is_submitted() else 200)
    user = ops.authenticate(form.email.data, form.password.data)
    if user is None:
        db.session.commit()  # keep a re-hash, if any; nothing else changed
        form.password.errors.append(_("This e-mail address and password do not match an account."))
        return render("auth/login.html", form=form, next_url=next_url, status=422)
    if _needs_two_factor(user):
        session.clear()
        session[_PENDING] = {"user": user.get_id(), "remember": bool(form.remember.data), "next": next_url}
        db.session.commit()
        if user.totp_enabled:
            return redirect(url_for("auth.two_factor"), 303)
        return redirect(url_for("auth.two_factor_setup"), 303)
    _finish_login(user, bool(form.remember.data))
    flash(_("You are logged in."), "success")
    return redirect(next_url, 303)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), str):
        return None, {}
    user_id, _sep, version = pending["user"].partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or user.session_version != version:
        return None, {}
    return user, pending


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_factor():  # type: ignore[no-untyped-def]
    user, pending = _pending_user()
    if user is None or not user.totp_enabled:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if not form.validate_on_submit():
        return render("auth/two_factor.html", form=form, status=422 if form.is_submitted() else 200)
    if not ops.check_totp(user, form.code.data):
        form.code.errors.append(_("This code is not right. Check the time on your phone and try a new code."))
        return render("auth/two_factor.html", form=form, status=422)
    _finish_login(user, bool(pending.get("remember")))
    flash(_("You are logged in."), "success")
    return redirect(safe_next(pending.get("next"), url_for("pages.home")), 303)


@bp.route("/login/2fa/setup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def two_factor_setup():  # type: ignore[no-untyped-def]
    user, pending = _pending_user()
    if user is None or user.totp_enabled:
        return redirect(url_for("auth.login"))
    secret = ops.start_totp_setup(user)
    db.session.commit()
    uri = ops.totp_uri(user, current_app.config["MUNICIPALITY_NAME"])
    form = TotpForm()
    status = 200
    if form.validate_on_submit():
        if ops.enable_totp(user, form.code.data):
            _finish_login(user, bool(pending.get("remember")))
            flash(_("Two-step login is on. You are logged in."), "success")
            return redirect(safe_next(pending.get("next"), url_for("pages.home")), 303)
        form.code.errors.append(_("This code is not right. Check the time on your phone and try a new code."))
        status = 422
    elif form.is_submitted():
        status = 422
    db.session.commit()
    return render("auth/two_factor_setup.html", form=form, secret=secret, qr_svg=_qr_svg(uri), status=status)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    from burgerbegroting.core.i18n import select_locale

    # Keep the language the person was reading, also when it came from their account's setting.
    lang = select_locale()
    logout_user()
    session.clear()
    session["lang"] = lang
    flash(_("You are logged out."), "success")
    return redirect(url_for("pages.home"), 303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return render("auth/register.html", form=form, status=422 if form.is_submitted() else 200)
    from burgerbegroting.core.i18n import select_locale

    try:
        user = ops.register_resident(form.email.data, form.name.data, form.password.data, select_locale())
    except ops.EmailTaken:
        db.session.rollback()
        form.email.errors.append(_("There is already an account with this e-mail address. "
                                   "Log in, or reset your password if you forgot it."))
        return render("auth/register.html", form=form, status=422)
    db.session.commit()
    _send_confirmation(user)
    _finish_login(user, remember=False)
    flash(_("Your account has been created. We sent you an e-mail to confirm your address."), "success")
    return redirect(url_for("auth.profile"), 303)


@bp.get("/confirm/<token>")
def confirm(token: str):  # type: ignore[no-untyped-def]
    user = read_token(token, "confirm", current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    if user is None:
        return render("auth/link_invalid.html", status=400)
    ops.confirm_email(user)
    db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"), 303)


@bp.post("/confirm/resend")
@login_required
@limiter.limit(_reset_limit)
def resend_confirmation():  # type: ignore[no-untyped-def]
    if not current_user.email_confirmed:
        _send_confirmation(current_user)
    flash(_("We sent you a new e-mail to confirm your address."), "success")
    return redirect(url_for("auth.profile"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render("auth/forgot.html", form=form, status=422 if form.is_submitted() else 200)
    user = ops.find_user_by_email(form.email.data)
    if user is not None:
        link = url_for("auth.reset_password", token=make_token(user, "reset"), _external=True)
        send_mail(Mail(
            to=user.email,
            subject=_("Set a new password"),
            body=_("Hello %(name)s,\n\nYou can set a new password with this link. It works for one hour "
                   "and only once:\n%(link)s\n\nDid you not ask for this? Then you can ignore this e-mail.",
                   name=user.name, link=link),
        ))
    # The same answer whether or not the address has an account: no account discovery.
    return render("auth/forgot_sent.html", email=form.email.data)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    user = read_token(token, "reset", current_app.config["RESET_TOKEN_MAX_AGE"])
    if user is None:
        return render("auth/link_invalid.html", status=400)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render("auth/reset.html", form=form, status=422 if form.is_submitted() else 200)
    ops.set_password(user, form.password.data)
    ops.confirm_email(user)  # they could read mail sent to this address
    db.session.commit()
    if current_user.is_authenticated:
        logout_user()
    flash(_("Your new password is saved. You can log in now."), "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():  # type: ignore[no-untyped-def]
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        ops.update_profile(current_user, form.name.data, form.locale.data)
        db.session.commit()
        session["lang"] = current_user.locale
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.profile"), 303)
    return render("auth/profile.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render("auth/change_password.html", form=form, status=422 if form.is_submitted() else 200)
    if not verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        return render("auth/change_password.html", form=form, status=422)
    ops.set_password(current_user, form.password.data)
    db.session.commit()
    # Keep this session (the new session version signs out the others). Pass the user, not the
    # current_user proxy: a stored proxy makes current_user recurse until the process crashes.
    login_user(current_user._get_current_object())  # type: ignore[attr-defined]
    flash(_("Your new password is saved. You are logged out on your other devices."), "success")
    return redirect(url_for("auth.profile"), 303)


@bp.get("/profile/data.json")
@login_required
def export_data():  # type: ignore[no-untyped-def]
    body = ops.export_personal_data_json(current_user)
    return Response(
        body,
        mimetype="application/json",
        # Personal data: not kept in a browser or proxy cache.
        headers={"Content-Disposition": 'attachment; filename="mijn-gegevens.json"', "Cache-Control": "no-store"},
    )


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
def delete_account():  # type: ignore[no-untyped-def]
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return render("auth/delete.html", form=form, status=422 if form.is_submitted() else 200)
    if not verify_password(current_user.password_hash, form.password.data):
        form.password.errors.append(_("This is not your password."))
        return render("auth/delete.html", form=form, status=422)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    logout_user()
    ops.delete_account(user)
    db.session.commit()
    session.clear()
    flash(_("Your account and your personal data have been deleted."), "success")
    return redirect(url_for("pages.home"), 303)


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    form = LanguageForm()
    next_url = safe_next(form.next.data, url_for("pages.home"))
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(next_url, 303)
