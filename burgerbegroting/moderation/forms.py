"""Forms for reporting content and for moderators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from burgerbegroting.core.forms import BaseForm, strip

REASON_LABELS = {
    "offensive": _l("Offensive, discriminating or threatening"),
    "personal_data": _l("Contains personal data"),
    "spam": _l("Spam or advertising"),
    "incorrect": _l("Incorrect or misleading"),
    "other": _l("Something else"),
}


class ReportForm(BaseForm):
    reason = RadioField(
        _l("What is wrong with it?"),
        choices=[SelectChoice(code, label) for code, label in REASON_LABELS.items()],
        validators=[InputRequired(_l("Choose a reason."))], validate_choice=True,
    )
    explanation = TextAreaField(
        _l("Explanation"), filters=[strip],
        validators=[Length(max=1000, message=_l("An explanation has at most 1000 characters."))],
        description=_l("Only moderators read this."), render_kw={"rows": 4},
    )


class HideForm(BaseForm):
    reason = TextAreaField(
        _l("Public reason for hiding"), filters=[strip],
        validators=[DataRequired(_l("Give the public reason for hiding it.")),
                    Length(max=500, message=_l("A reason has at most 500 characters."))],
        description=_l("Shown in place of the content, and sent to the author."), render_kw={"rows": 3},
    )


class ConfirmForm(BaseForm):
    """A button with only a CSRF token (dismiss, restore)."""
