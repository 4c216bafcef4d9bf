"""Shared form pieces."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form
from wtforms.validators import ValidationError

PASSWORD_MIN = 10
PASSWORD_MAX = 200
EMAIL_MAX = 254


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class EmailAddress:
    """A syntactically valid e-mail address (no DNS look-up: the network may be closed)."""

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        if len(field.data) > EMAIL_MAX:
            # The Length(max=EMAIL_MAX) beside this validator reports it. email_validator needs
            # seconds for a value of a few hundred kilobytes: a cheap way to tie up a worker.
            return
        try:
            validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(_l("Enter an e-mail address like name@example.nl.")) from exc


class BaseForm(FlaskForm):
    """All forms: CSRF-protected, with an error list for the summary at the top."""

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs, in the order of the form, for the error summary."""
        out: list[tuple[str, str]] = []
        for field in self:
            for message in field.errors:
                out.append((field.id, str(message)))
        return out
