"""Forms that start a background job."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from burgerbegroting.core.forms import BaseForm


class LettersJobForm(BaseForm):
    district = SelectField(_l("District"), validators=[InputRequired()])
    count = IntegerField(_l("Number of codes"), validators=[
        InputRequired(_l("Enter how many codes you need.")), NumberRange(min=1)])

    def __init__(self, round_, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.district.choices = [SelectChoice(str(d.id), d.name) for d in round_.districts]
        self.count.description = _l("From 1 to %(max)d letters in one PDF.",
                                    max=current_app.config["MAX_LETTERS_PER_JOB"])

    def validate_count(self, field) -> None:  # type: ignore[no-untyped-def]
        limit = current_app.config["MAX_LETTERS_PER_JOB"]
        if field.data is not None and not 1 <= field.data <= limit:
            raise ValidationError(_l("Enter a number from 1 to %(max)d.", max=limit))


class StartForm(BaseForm):
    """Only the CSRF token."""


class DeleteResultForm(BaseForm):
    """Only the CSRF token."""
