"""Forms of the feasibility review."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.core.money import parse_euro
from burgerbegroting.proposals.models import MAX_COST_CENTS
from burgerbegroting.reviews.labels import VERDICTS

MAX_INT = 2**31 - 1


class ReviewForm(BaseForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=[SelectChoice(code, label) for code, label in VERDICTS.items()],
        validators=[InputRequired(_l("Choose a verdict."))],
        validate_choice=True,
    )
    cost = StringField(
        _l("Reviewed cost in euros"), filters=[strip],
        validators=[InputRequired(_l("Enter the reviewed cost.")),
                    Length(max=40, message=_l("Enter an amount like 12.500,00."))],
        description=_l("What carrying it out will really cost, for example 12.500 or 12.500,50."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    public_reason = TextAreaField(
        _l("Public explanation"), filters=[strip],
        validators=[Length(max=2000, message=_l("An explanation has at most 2000 characters."))],
        description=_l("Shown on the proposal's page. Required when the proposal is not feasible or needs changes."),
        render_kw={"rows": 5},
    )
    internal_note = TextAreaField(
        _l("Internal note"), filters=[strip],
        validators=[Length(max=4000, message=_l("A note has at most 4000 characters."))],
        description=_l("Only for reviewers and administrators; never shown in public."),
        render_kw={"rows": 3},
    )
    version = IntegerField(widget=HiddenInput(), validators=[
        InputRequired(_l("The form is incomplete. Reload the page and try again.")),
        NumberRange(min=1, max=MAX_INT, message=_l("The form is incomplete. Reload the page and try again.")),
    ])

    cost_cents: int | None = None

    def validate_cost(self, field: StringField) -> None:
        try:
            cents = parse_euro(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Enter an amount in euros, like 12.500 or 12.500,50.")) from exc
        if cents <= 0:
            raise ValidationError(_l("The cost must be more than € 0."))
        if cents > MAX_COST_CENTS:
            raise ValidationError(_l("That amount is too large for a proposal. Check the number."))
        self.cost_cents = cents

    def validate_public_reason(self, field: TextAreaField) -> None:
        if self.verdict.data in ("not_feasible", "feasible_with_changes") and not field.data:
            raise ValidationError(_l("Explain in public why the proposal is not feasible or what changes."))


class MergeForm(BaseForm):
    original = SelectField(
        _l("Merge into"), coerce=int, validate_choice=True,
        validators=[InputRequired(_l("Choose the proposal to merge into."))],
        description=_l("This proposal becomes part of the chosen one; its supporters are carried over."),
    )

    def __init__(self, candidates: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.original.choices = [SelectChoice(p.id, f"#{p.id} {p.title}") for p in candidates]


class ConfirmForm(BaseForm):
    """A button with only a CSRF token."""
