"""Forms around ballots. The ballot itself is read by its type (``types.BALLOT_TYPES``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length

from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.voters.forms import CODE_ATTRS


class ReceiptForm(BaseForm):
    receipt = StringField(_l("Your receipt code"), filters=[strip],
                          description=_l("The code of 10 letters and digits you got after voting."),
                          validators=[InputRequired(_l("Enter your receipt code.")), Length(max=40)],
                          render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})


class PaperForm(BaseForm):
    code = StringField(_l("Voting code on the paper"), filters=[strip],
                       validators=[InputRequired(_l("Enter the voting code printed on the paper."))],
                       render_kw=CODE_ATTRS)
    invalid = BooleanField(_l("This paper is invalid (for example: too many crosses, or unreadable)"))
