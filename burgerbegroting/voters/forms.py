"""Forms for voting codes (residents and admins) and the account declaration."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.voters.eligibility import normalise_postcode
from burgerbegroting.voters.operations import MAX_BATCH

CODE_FORMAT = "XXXX-XXXX-XXXX-X"
CODE_ATTRS = {"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters", "spellcheck": "false",
              "maxlength": "40"}


class CodeForm(BaseForm):
    code = StringField(_l("Your voting code"), filters=[strip],
                       description=_l("You find the code in the letter from the municipality. It looks like "
                                      "%(format)s. Capitals or small letters do not matter.", format=CODE_FORMAT),
                       validators=[InputRequired(_l("Enter the voting code from your letter."))],
                       render_kw=CODE_ATTRS)


def _parse_date(text: str) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class DeclarationForm(BaseForm):
    postcode = StringField(_l("Your postcode"), filters=[strip], description=_l("For example 9901 AB."),
                           validators=[InputRequired(_l("Enter your postcode.")), Length(max=10)],
                           render_kw={"autocomplete": "postal-code"})
    birth_date = StringField(_l("Your date of birth"), filters=[strip], description=_l("For example 31-12-1980."),
                             validators=[InputRequired(_l("Enter your date of birth.")), Length(max=20)],
                             render_kw={"autocomplete": "bday"})
    declaration = BooleanField(_l("I declare that this is true and that I live at this postcode."),
                               validators=[DataRequired(_l("Tick the box to declare that this is true."))])

    def validate_postcode(self, field) -> None:  # type: ignore[no-untyped-def]
        if normalise_postcode(field.data) is None:
            raise ValidationError(_l("Enter a postcode of 4 digits and 2 letters, like 9901 AB."))

    def validate_birth_date(self, field) -> None:  # type: ignore[no-untyped-def]
        date = _parse_date(field.data)
        if date is None or not dt.date(1900, 1, 1) <= date <= dt.date.today():
            raise ValidationError(_l("Enter your date of birth as day-month-year, like 31-12-1980."))
        self.birth = date


def _district_choices(round_) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    return [SelectChoice(str(d.id), d.name) for d in round_.districts]


class GenerateForm(BaseForm):
    district = SelectField(_l("District"), validators=[InputRequired()])
    count = IntegerField(_l("Number of codes"), validators=[
        InputRequired(_l("Enter how many codes you need.")),
        NumberRange(1, MAX_BATCH, _l("Enter a number from 1 to %(max)d.", max=MAX_BATCH))])

    def __init__(self, round_, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.district.choices = _district_choices(round_)


class RegisterForm(BaseForm):
    district = SelectField(_l("District"), validators=[InputRequired()])
    file = FileField(_l("Register (CSV file)"),
                     validators=[FileRequired(_l("Choose a CSV file."))])

    def __init__(self, round_, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.district.choices = _district_choices(round_)
        self.file.description = _l("Columns: name, street, postcode, city. One letter per row, at most %(max)d "
                                   "rows.", max=current_app.config["MAX_LETTERS_PER_JOB"])


class ReissueForm(BaseForm):
    entry = IntegerField(validators=[Optional()])
    code = StringField(_l("The lost code"), filters=[strip], validators=[Optional(), Length(max=40)],
                       description=_l("Or search for the person below, when the letter came from a register."),
                       render_kw=CODE_ATTRS)

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        if ok and not self.entry.data and not self.code.data:
            self.code.errors.append(_l("Enter the lost code, or choose a person from the register."))
            return False
        return ok
