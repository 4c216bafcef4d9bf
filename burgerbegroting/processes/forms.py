"""Forms for configuring rounds: settings, schedule, districts, CSV import, phase control."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from burgerbegroting.core import labels
from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.core.money import parse_euro
from burgerbegroting.core.timeutil import AMSTERDAM
from burgerbegroting.processes import texts
from burgerbegroting.processes.models import BALLOT_TYPES, COUNTING_RULES, DECISIONS, DISTRICT_KINDS, ELIGIBILITY
from burgerbegroting.processes.operations import SLUG_RE
from burgerbegroting.processes.phases import SCHEDULABLE, Phase
from burgerbegroting.processes.postcodes import PostcodeError, parse_ranges

# A district budget above this is a typo.
MAX_BUDGET_CENTS = 100_000_000 * 100

MONEY_MESSAGES = {
    "empty": _l("Enter an amount in euros."),
    "negative": _l("Enter an amount of more than € 0."),
    "too_many_decimals": _l("Enter an amount with at most 2 decimals, like 1.234,50."),
    "not_a_number": _l("Enter an amount in euros with numbers only, like 25.000 or 1.234,50."),
    "too_large": _l("Enter an amount of at most € 100 million."),
}

POSTCODE_MESSAGES = {
    "empty_part": _l("Remove the empty part between two commas."),
    "bad_postcode": _l("“%(part)s” is not a postcode. Use 4 digits (1234) or 4 digits and 2 letters (1234AB)."),
    "mixed_range": _l("In “%(part)s” both ends must be of the same kind: 1234-1240 or 1234AB-1234ZZ."),
    "reversed_range": _l("In “%(part)s” the first postcode must be the lower one."),
    "too_long": _l("The list of postcodes is too long."),
}

SCHEDULE_MESSAGES = {
    "ends_before_start": _l("The end must be after the start."),
    "overlaps_previous": _l("This phase starts before the previous phase ends. Phases are in a fixed order "
                            "and may not overlap."),
    "duplicate_phase": _l("Every phase can be used only once."),
    "naive datetime": _l("Enter a date and time."),
    "already_started": _l("This phase has already started; its start cannot be changed any more."),
    "voting_start_now": _l("Voting cannot start in the past by changing its date. Use “Open the next phase now” "
                           "(with a reason) to open voting now."),
}


def choices(table: dict[str, Any], codes: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(code, table[code]) for code in codes]


class WholeNumber:
    """A whole number within [low, high]; empty allowed when the field is optional."""

    def __init__(self, low: int, high: int, message: Any):
        self.low, self.high, self.message = low, high, message

    def __call__(self, form: Any, field: Field) -> None:
        raw = (field.data or "").strip()
        if not raw:
            return
        if not re.fullmatch(r"\d{1,6}", raw) or not self.low <= int(raw) <= self.high:
            raise ValidationError(self.message)


def as_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


class RoundForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter a name.")), Length(max=200, message=_l("A name has at most 200 characters."))])
    slug = StringField(_l("Web address (slug)"), filters=[strip], validators=[Optional(), Length(max=80)],
                       description=_l("Lower-case letters, digits and hyphens, like wijkbudget-2027. "
                                      "Leave empty to make it from the name."))
    description = TextAreaField(_l("Description"), filters=[strip], validators=[
        Optional(), Length(max=5000, message=_l("A description has at most 5000 characters."))])
    decision = SelectField(_l("Who decides"), choices=choices(texts.DECISIONS, DECISIONS))
    ballot_type = SelectField(_l("Ballot type"), choices=choices(texts.BALLOT_TYPES, BALLOT_TYPES))
    counting_rule = SelectField(_l("Counting rule"), choices=choices(texts.COUNTING_RULES, COUNTING_RULES))
    min_choices = StringField(_l("Minimum number of choices"), default="1", filters=[strip], validators=[
        DataRequired(_l("Enter the minimum number of choices (0 or more).")),
        WholeNumber(0, 1000, _l("Enter a whole number from 0 to 1000."))])
    max_choices = StringField(_l("Maximum number of choices"), filters=[strip], validators=[
        WholeNumber(1, 1000, _l("Enter a whole number from 1 to 1000, or leave it empty."))],
        description=_l("Leave empty for no maximum."))
    points_total = StringField(_l("Points per voter"), filters=[strip], validators=[
        WholeNumber(1, 10000, _l("Enter a whole number from 1 to 10000."))],
        description=_l("Only for the points ballot."))
    eligibility = SelectField(_l("Who may vote"), choices=choices(texts.ELIGIBILITY, ELIGIBILITY))
    min_age = StringField(_l("Minimum age"), filters=[strip], validators=[
        WholeNumber(0, 120, _l("Enter an age from 0 to 120, or leave it empty."))],
        description=_l("Leave empty for no minimum age."))
    min_supporters = StringField(_l("Supporters a plan needs to go to the check"), default="0", filters=[strip],
                                 validators=[DataRequired(_l("Enter a number (0 for none).")),
                                             WholeNumber(0, 100000, _l("Enter a whole number of 0 or more."))])
    four_eyes = BooleanField(_l("Two reviewers check each plan (four-eyes principle)"))
    comments_enabled = BooleanField(_l("Residents can react to plans"), default=True)

    def validate_slug(self, field: StringField) -> None:
        if field.data and not SLUG_RE.match(field.data):
            raise ValidationError(_l("Use only lower-case letters, digits and single hyphens, like wijkbudget-2027."))

    def validate_max_choices(self, field: StringField) -> None:
        low, high = self.min_choices.data, field.data
        if high and low and re.fullmatch(r"\d{1,6}", high) and re.fullmatch(r"\d{1,6}", low) and int(high) < int(low):
            raise ValidationError(_l("The maximum cannot be lower than the minimum."))

    def validate_points_total(self, field: StringField) -> None:
        if self.ballot_type.data == "cumulative" and not field.data:
            raise ValidationError(_l("Enter the number of points each voter can divide."))
        if self.ballot_type.data != "cumulative" and field.data:
            raise ValidationError(_l("Points are only used with the points ballot. Leave this empty."))

    def settings_data(self) -> dict[str, Any]:
        return {
            "name": self.name.data, "description": self.description.data or "",
            "decision": self.decision.data, "ballot_type": self.ballot_type.data,
            "counting_rule": self.counting_rule.data, "min_choices": as_int(self.min_choices.data) or 0,
            "max_choices": as_int(self.max_choices.data), "points_total": as_int(self.points_total.data),
            "eligibility": self.eligibility.data, "min_age": as_int(self.min_age.data),
            "min_supporters": as_int(self.min_supporters.data) or 0,
            "four_eyes": bool(self.four_eyes.data), "comments_enabled": bool(self.comments_enabled.data),
        }


_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y %H:%M")


def parse_local(text: str) -> dt.datetime:
    """A local (Europe/Amsterdam) date and time as typed, to an aware UTC datetime.
    ``ValueError("format")`` or ``ValueError("nonexistent")`` (a time skipped by the clock change)."""
    text = (text or "").strip()
    for fmt in _LOCAL_FORMATS:
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not 2000 <= naive.year <= 2100:
            raise ValueError("format")
        local = naive.replace(tzinfo=AMSTERDAM)
        utc = local.astimezone(dt.UTC)
        if utc.astimezone(AMSTERDAM).replace(tzinfo=None) != naive:
            raise ValueError("nonexistent")
        return utc
    raise ValueError("format")


def format_local(value: dt.datetime | None) -> str:
    return value.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if value else ""


class ScheduleForm(BaseForm):
    """One checkbox and a start and end per phase (fields ``<phase>_on/_start/_end``)."""

    def phase_fields(self) -> list[tuple[Phase, Field, Field, Field]]:
        return [(p, self[f"{p.value}_on"], self[f"{p.value}_start"], self[f"{p.value}_end"]) for p in SCHEDULABLE]

    def windows(self) -> dict[Phase, tuple[dt.datetime, dt.datetime]] | None:
        """The enabled windows in UTC, or None after adding field errors."""
        out: dict[Phase, tuple[dt.datetime, dt.datetime]] = {}
        ok = True
        for phase, on, start, end in self.phase_fields():
            if not on.data:
                continue
            parsed = []
            for f in (start, end):
                try:
                    parsed.append(parse_local(f.data))
                except ValueError as exc:
                    ok = False
                    f.errors = [*f.errors,
                        _l("This time does not exist: the clocks go forward then. Choose another time.")
                        if exc.args[0] == "nonexistent" else
                        _l("Enter a date and time, like 2027-03-01 09:00.")]
            if len(parsed) == 2:
                out[phase] = (parsed[0], parsed[1])
        if not out and ok:
            self[f"{SCHEDULABLE[0].value}_on"].errors = [_l("Turn on at least one phase.")]
            ok = False
        return out if ok else None


def _build_schedule_form() -> type[ScheduleForm]:
    attrs: dict[str, Any] = {}
    for phase in SCHEDULABLE:
        label = labels.PHASES[phase.value]
        attrs[f"{phase.value}_on"] = BooleanField(label)
        attrs[f"{phase.value}_start"] = StringField(_l("Start"), filters=[strip],
                                                    render_kw={"type": "datetime-local"})
        attrs[f"{phase.value}_end"] = StringField(_l("End"), filters=[strip], render_kw={"type": "datetime-local"})
    return type("ScheduleFormForPhases", (ScheduleForm,), attrs)


ScheduleFormClass = _build_schedule_form()


class DistrictForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter a name.")), Length(max=120, message=_l("A name has at most 120 characters."))])
    kind = SelectField(_l("Kind"), choices=choices(labels.DISTRICT_KINDS, DISTRICT_KINDS),
                       validate_choice=True)
    budget = StringField(_l("Budget in euros"), filters=[strip], validators=[DataRequired(MONEY_MESSAGES["empty"])],
                         description=_l("For example 25.000 or 1.234,50."))
    postcodes = TextAreaField(_l("Postcodes"), filters=[strip], validators=[Optional()],
                              description=_l("Separate with commas. A range with a hyphen: 1234, 1236-1238, "
                                             "1240AB-1240ZZ."))

    def validate_kind(self, field: SelectField) -> None:
        if field.data not in DISTRICT_KINDS:
            raise ValidationError(_l("Choose a kind from the list."))

    def validate_budget(self, field: StringField) -> None:
        try:
            cents = parse_euro(field.data)
        except ValueError as exc:
            raise ValidationError(MONEY_MESSAGES.get(exc.args[0], MONEY_MESSAGES["not_a_number"])) from exc
        if cents <= 0:
            raise ValidationError(MONEY_MESSAGES["negative"])
        if cents > MAX_BUDGET_CENTS:
            raise ValidationError(MONEY_MESSAGES["too_large"])
        self.budget_cents = cents

    def validate_postcodes(self, field: TextAreaField) -> None:
        try:
            parse_ranges(field.data or "")
        except PostcodeError as exc:
            raise ValidationError(str(POSTCODE_MESSAGES[exc.reason]) % {"part": exc.part}) from exc


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("Columns: name, kind, budget, postcodes. Separated by ; or , — "
                                    "UTF-8 or Windows-1252."))


class PhaseControlForm(BaseForm):
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(_l("Give a reason: it is kept in the audit log.")),
        Length(max=1000, message=_l("A reason has at most 1000 characters."))])


class ConfirmForm(BaseForm):
    """A form with only the CSRF token (deleting a district)."""
