"""Forms for proposals: submit/edit (with images and location), comments, the list filters."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    Form,
    HiddenField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from burgerbegroting.core.forms import BaseForm, strip
from burgerbegroting.core.money import parse_euro
from burgerbegroting.proposals import images as img
from burgerbegroting.proposals.labels import SORTS, STATUSES, THEMES
from burgerbegroting.proposals.models import MAX_COST_CENTS, MAX_IMAGES
from burgerbegroting.proposals.models import THEMES as THEME_CODES
from burgerbegroting.proposals.status import PUBLIC

MONEY_MESSAGES = {
    "empty": _l("Enter the estimated cost in euros."),
    "negative": _l("Enter an amount of more than € 0."),
    "too_many_decimals": _l("Enter an amount with at most 2 decimals, like 1.234,50."),
    "not_a_number": _l("Enter an amount in euros with numbers only, like 25.000 or 1.234,50."),
    "too_large": _l("Enter an amount of at most € 100 million."),
}

IMAGE_MESSAGES = {
    img.EMPTY: _l("The chosen file is empty."),
    img.TOO_LARGE: _l("The image is larger than 5 MB. Choose a smaller photo."),
    img.NOT_AN_IMAGE: _l("This file is not an image we can read. Choose a JPEG or PNG photo."),
    img.WRONG_TYPE: _l("Only JPEG and PNG images are allowed."),
    img.TOO_MANY_PIXELS: _l("The image has too many pixels. Choose a smaller photo."),
}

IMAGE_SLOTS = tuple(range(1, MAX_IMAGES + 1))


def text(value: object) -> object:
    """Trimmed, with the browser's CRLF line ends made plain newlines."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def _read_upload(storage: Any) -> bytes | None:
    """The bytes of an uploaded file, or None when no file was chosen. Reads at most one byte
    more than allowed, so an oversize file is recognised without reading all of it."""
    if storage is None or not getattr(storage, "filename", None):
        return None
    try:
        return storage.stream.read(img.MAX_UPLOAD_BYTES + 1)
    finally:
        storage.stream.close()  # large uploads are spooled to a temporary file


class ProposalForm(BaseForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Enter a title.")), Length(max=120, message=_l("A title has at most 120 characters."))])
    summary = TextAreaField(_l("Summary"), filters=[text], validators=[
        DataRequired(_l("Enter a short summary.")),
        Length(max=300, message=_l("A summary has at most 300 characters."))],
        description=_l("One or two sentences: what do you want, and why? At most 300 characters."))
    body = TextAreaField(_l("Description"), filters=[text], validators=[
        DataRequired(_l("Describe your plan.")),
        Length(max=5000, message=_l("A description has at most 5000 characters."))],
        description=_l("Where, what, for whom, and who helps. Plain text; at most 5000 characters."))
    cost = StringField(_l("Estimated cost in euros"), filters=[strip],
                       description=_l("Your best guess, like 12.500. Civil servants check it later."))
    district = SelectField(_l("District"), validate_choice=False)
    theme = SelectField(_l("Theme"), validate_choice=False)
    address = StringField(_l("Address or place"), filters=[strip], validators=[
        Optional(), Length(max=200, message=_l("An address has at most 200 characters."))],
        description=_l("For example: Dorpsstraat 12, or: the playground behind the school."))
    latitude = HiddenField(filters=[strip])
    longitude = HiddenField(filters=[strip])
    # Optimistic locking across the form: the version the author started editing.
    version = HiddenField()
    image_1 = FileField(_l("Image 1"))
    alt_1 = StringField(_l("Description of image 1"), filters=[strip])
    image_2 = FileField(_l("Image 2"))
    alt_2 = StringField(_l("Description of image 2"), filters=[strip])
    image_3 = FileField(_l("Image 3"))
    alt_3 = StringField(_l("Description of image 3"), filters=[strip])
    remove_images = SelectMultipleField(_l("Remove images"), validate_choice=False,
                                        widget=widgets.ListWidget(prefix_label=False),
                                        option_widget=widgets.CheckboxInput())

    def __init__(self, *args: Any, districts: Sequence[Any] = (), existing_images: Sequence[Any] = (),
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._districts = {str(d.id): d for d in districts}
        self.district.choices = [SelectChoice("", _l("Choose a district"))] + [
            SelectChoice(str(d.id), d.name) for d in districts]
        self.theme.choices = [SelectChoice("", _l("No theme"))] + [
            SelectChoice(code, THEMES[code]) for code in THEME_CODES]
        self._existing = list(existing_images)
        self.remove_images.choices = [
            SelectChoice(str(i.id), _l("Remove image %(n)s (%(alt)s)", n=n, alt=i.alt_text))
            for n, i in enumerate(self._existing, 1)]
        self.cost_cents: int | None = None
        self.location: tuple[float, float] | None = None
        self.processed_images: list[tuple[img.ProcessedImage, str]] = []
        self.uploads_lost = False
        # The hidden fields are not shown; a faulty map position is reported at the address.
        self.latitude.label.text = str(_l("Latitude"))
        self.longitude.label.text = str(_l("Longitude"))
        for n in IMAGE_SLOTS:
            getattr(self, f"alt_{n}").description = _l(
                "Describe what the image shows, for people who cannot see it.")

    @property
    def district_obj(self) -> Any:
        return self._districts.get(self.district.data or "")

    def validate_district(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the district your plan is for."))
        if field.data not in self._districts:
            raise ValidationError(_l("Choose one of the districts in the list."))

    def validate_theme(self, field: SelectField) -> None:
        if field.data and field.data not in THEME_CODES:
            raise ValidationError(_l("Choose one of the themes in the list."))

    def validate_remove_images(self, field: SelectMultipleField) -> None:
        known = {str(i.id) for i in self._existing}
        if any(value not in known for value in field.data or []):
            raise ValidationError(_l("Choose only images of this proposal."))

    def validate_cost(self, field: StringField) -> None:
        try:
            cents = parse_euro(field.data or "")
        except ValueError as exc:
            raise ValidationError(MONEY_MESSAGES.get(exc.args[0], MONEY_MESSAGES["not_a_number"])) from exc
        if cents <= 0:
            raise ValidationError(MONEY_MESSAGES["negative"])
        if cents > MAX_COST_CENTS:
            raise ValidationError(MONEY_MESSAGES["too_large"])
        district = self.district_obj
        if district is not None and 0 < district.budget_cents < cents:
            from flask_babel import get_locale

            from burgerbegroting.core.formatting import euro

            raise ValidationError(_l(
                "This is more than the whole budget of %(district)s (%(budget)s). Make the plan smaller.",
                district=district.name, budget=euro(district.budget_cents, str(get_locale() or "nl"), whole=True)))
        self.cost_cents = cents

    def _validate_location(self) -> bool:
        lat, lng = (self.latitude.data or "").strip(), (self.longitude.data or "").strip()
        if not lat and not lng:
            return True
        try:
            lat_f, lng_f = float(lat), float(lng)
        except ValueError:
            lat_f = lng_f = math.nan
        if not (math.isfinite(lat_f) and math.isfinite(lng_f) and -90 <= lat_f <= 90 and -180 <= lng_f <= 180):
            self.latitude.data = self.longitude.data = ""
            self.address.errors = [*self.address.errors, str(_l(
                "The place chosen on the map could not be read. Choose it again, or enter an address."))]
            return False
        self.location = (round(lat_f, 6), round(lng_f, 6))
        return True

    def _validate_images(self) -> bool:
        ok = True
        removing = set(self.remove_images.data or [])
        kept = sum(1 for i in self._existing if str(i.id) not in removing)
        chosen = []
        for n in IMAGE_SLOTS:
            field, alt = getattr(self, f"image_{n}"), getattr(self, f"alt_{n}")
            if len(alt.data or "") > 200:
                alt.errors = [*alt.errors, str(_l("A description has at most 200 characters."))]
                ok = False
            raw = _read_upload(field.data)
            if raw is None:
                continue
            chosen.append(n)
            if len(chosen) + kept > MAX_IMAGES:
                field.errors = [*field.errors, str(_l(
                    "A proposal can have at most %(max)s images. Remove an image first.", max=MAX_IMAGES))]
                ok = False
                continue
            try:
                processed = img.process_image(raw)
            except img.ImageRejected as exc:
                field.errors = [*field.errors, str(IMAGE_MESSAGES[exc.code])]
                ok = False
                continue
            if not alt.data:
                alt.errors = [*alt.errors, str(_l(
                    "Describe what image %(n)s shows, for people who cannot see it.", n=n))]
                ok = False
                continue
            self.processed_images.append((processed, alt.data))
        self.uploads_lost = bool(chosen)
        return ok

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        ok = self._validate_location() and ok
        ok = self._validate_images() and ok
        if not ok:
            self.processed_images = []
        return ok


class CommentForm(BaseForm):
    body = TextAreaField(_l("Your reaction"), filters=[text], validators=[
        DataRequired(_l("Write a reaction.")),
        Length(max=2000, message=_l("A reaction has at most 2000 characters."))])
    parent_id = HiddenField()

    def validate_parent_id(self, field: HiddenField) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_l("You can only react to a reaction on this proposal."))


class ConfirmForm(BaseForm):
    """Only the CSRF token: support, withdraw support, withdraw a proposal."""


class FilterForm(Form):
    """The GET form above the list: its values make a shareable URL."""

    zoek = SearchField(_l("Search"), filters=[strip], validators=[
        Optional(), Length(max=100, message=_l("Search with at most 100 characters."))])
    wijk = SelectField(_l("District"), default="", validate_choice=False)
    thema = SelectField(_l("Theme"), default="", validate_choice=False)
    status = SelectField(_l("Status"), default="", validate_choice=False)
    volgorde = SelectField(_l("Sort by"), default="newest", validate_choice=False)

    def __init__(self, formdata: Any, districts: Sequence[Any]):
        super().__init__(formdata)
        self.wijk.choices = [SelectChoice("", _l("All districts"))] + [
            SelectChoice(str(d.id), d.name) for d in districts]
        self.thema.choices = [SelectChoice("", _l("All themes"))] + [
            SelectChoice(code, THEMES[code]) for code in THEME_CODES]
        self.status.choices = [SelectChoice("", _l("All statuses"))] + [
            SelectChoice(s.value, STATUSES[s.value]) for s in sorted(PUBLIC, key=_status_order)]
        self.volgorde.choices = [SelectChoice(code, text) for code, text in SORTS.items()]

    def _known(self, field: SelectField, message: Any) -> None:
        values = {c.value for c in field.choices}  # type: ignore[union-attr]
        if field.data not in values:
            field.errors = [*field.errors, str(message)]

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        self._known(self.wijk, _l("Choose one of the districts in the list."))
        self._known(self.thema, _l("Choose one of the themes in the list."))
        self._known(self.status, _l("Choose one of the statuses in the list."))
        self._known(self.volgorde, _l("Choose one of the sort orders in the list."))
        return not any(f.errors for f in self)

    def error_list(self) -> list[tuple[str, str]]:
        return [(f.id, str(m)) for f in self for m in f.errors]

    def value(self, name: str) -> str:
        """The value of a filter, or "" when it was refused."""
        field = self[name]
        return "" if field.errors else (field.data or "")


_ORDER = ["published", "in_review", "feasible", "not_feasible", "not_enough_support", "merged", "withdrawn",
          "selected", "not_selected", "in_progress", "done"]


def _status_order(status: Any) -> int:
    value = str(status.value if hasattr(status, "value") else status)
    return _ORDER.index(value) if value in _ORDER else len(_ORDER)

