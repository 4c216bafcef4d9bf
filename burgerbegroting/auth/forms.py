"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from burgerbegroting.core.forms import PASSWORD_MAX, PASSWORD_MIN, BaseForm, EmailAddress, strip

LANGUAGE_CHOICES = [
    SelectChoice("nl", "Nederlands", render_kw={"lang": "nl"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _new_password_field(label: object) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("A password has at least %(min)d and at most %(max)d characters.",
                           min=PASSWORD_MIN, max=PASSWORD_MAX),
            ),
        ],
        description=_l("At least %(min)d characters. A sentence of a few words is easy to remember.",
                       min=PASSWORD_MIN),
        render_kw={"autocomplete": "new-password"},
    )


def _repeat_password_field(label: object) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(_l("Repeat your password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _name_field() -> StringField:
    return StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=100, message=_l("A name has at most 100 characters.")),
        ],
        render_kw={"autocomplete": "name"},
    )


class LoginForm(BaseForm):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("This password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay logged in on this device"))


class RegisterForm(BaseForm):
    name = _name_field()
    email = _email_field()
    password = _new_password_field(_l("Password"))
    confirm = _repeat_password_field(_l("Repeat password"))


class ForgotPasswordForm(BaseForm):
    email = _email_field()


class ResetPasswordForm(BaseForm):
    password = _new_password_field(_l("New password"))
    confirm = _repeat_password_field(_l("Repeat new password"))


class ProfileForm(BaseForm):
    name = _name_field()
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES,
                         validators=[DataRequired(_l("Choose a language."))])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")),
                    Length(max=PASSWORD_MAX, message=_l("This password is too long."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password_field(_l("New password"))
    confirm = _repeat_password_field(_l("Repeat new password"))


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Your password"),
        validators=[InputRequired(_l("Enter your password to confirm.")),
                    Length(max=PASSWORD_MAX, message=_l("This password is too long."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("Yes, delete my account and my personal data"),
        validators=[DataRequired(_l("Tick the box to confirm that you want to delete your account."))],
    )


class TotpForm(BaseForm):
    code = StringField(
        _l("Code from your authenticator app"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the 6-digit code.")),
                    Length(max=20, message=_l("Enter the 6-digit code."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class LanguageForm(BaseForm):
    lang = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = StringField(label="")  # hidden; a label of its own would load the WTForms catalogue per request
