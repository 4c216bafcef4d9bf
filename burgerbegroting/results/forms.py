"""Forms for counting, publishing and implementation updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from burgerbegroting.core import money
from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.proposals.models import MAX_COST_CENTS

IMPLEMENTATION_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
}


class ConfirmForm(BaseForm):
    """Only the CSRF token (the district to count comes from the button)."""


class PublishForm(BaseForm):
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[
        DataRequired(_l("Give a reason: it is kept in the audit log.")),
        Length(max=1000, message=_l("A reason has at most 1000 characters."))])


class UpdateForm(BaseForm):
    status = SelectField(_l("Status"), choices=[SelectChoice(k, v) for k, v in IMPLEMENTATION_LABELS.items()],
                         validators=[DataRequired(_l("Choose a status."))])
    text = TextAreaField(_l("What happened?"), filters=[strip], validators=[
        DataRequired(_l("Write a short update for residents.")),
        Length(max=2000, message=_l("An update has at most 2000 characters."))])
    photo = FileField(_l("Photo (optional)"), description=_l("JPEG or PNG, at most 5 MB."))
    actual_cost = StringField(
        _l("Actual cost so far (optional)"), filters=[strip],
        description=_l("In euros, like 12.500 or 12.500,50. Leave empty when it is not known yet; "
                       "the newest amount given is shown as the actual cost."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"})

    actual_cost_cents: int | None = None

    def validate_actual_cost(self, field: StringField) -> None:
        self.actual_cost_cents = None
        if not field.data:
            return
        try:
            cents = money.parse_euro(field.data)
        except ValueError as exc:
            raise ValidationError(COST_MESSAGES.get(str(exc.args[0]), COST_MESSAGES[money.NOT_A_NUMBER])) from exc
        if cents > MAX_COST_CENTS:
            raise ValidationError(COST_MESSAGES[money.TOO_LARGE])
        self.actual_cost_cents = cents


COST_MESSAGES = {
    money.NEGATIVE: _l("The actual cost cannot be negative."),
    money.TOO_MANY_DECIMALS: _l("Give the amount in whole cents: at most two decimals."),
    money.TOO_LARGE: _l("That amount is too large for a proposal. Check the number."),
    money.NOT_A_NUMBER: _l("Enter an amount in euros, like 12.500 or 12.500,50."),
}
