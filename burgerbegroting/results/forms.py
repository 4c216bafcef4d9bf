"""Forms for counting, publishing and implementation updates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from burgerbegroting.core.forms import BaseForm, strip

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
