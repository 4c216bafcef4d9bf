"""Forms for managing staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from burgerbegroting.core.forms import PASSWORD_MAX, PASSWORD_MIN, BaseForm, EmailAddress, strip
from burgerbegroting.core.labels import ROLES
from burgerbegroting.core.permissions import Role

ROLE_LABELS = {Role(code): text for code, text in ROLES.items()}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _roles_field() -> CheckboxesField:
    return CheckboxesField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validate_choice=True,
    )


class RolesForm(BaseForm):
    roles = _roles_field()


class NewStaffForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Enter a name.")), Length(max=100, message=_l("A name has at most 100 characters."))])
    email = StringField(_l("E-mail address"), filters=[strip], validators=[
        DataRequired(_l("Enter an e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
        EmailAddress()])
    password = PasswordField(_l("First password"), validators=[
        InputRequired(_l("Choose a first password.")),
        Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
               message=_l("A password has at least %(min)d and at most %(max)d characters.",
                          min=PASSWORD_MIN, max=PASSWORD_MAX))],
        description=_l("Give it to the person in a safe way. They can change it on their profile page."),
        render_kw={"autocomplete": "new-password"})
    roles = _roles_field()

    def validate_roles(self, field: CheckboxesField) -> None:
        from wtforms.validators import ValidationError

        if not set(field.data or []) - {Role.RESIDENT.value}:
            raise ValidationError(_l("Choose at least one staff role."))
