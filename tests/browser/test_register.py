"""Registering a resident account through the form: the error summary, field messages and
kept values first, then success; in Dutch and English, with and without JavaScript."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    RESIDENT,
    html_lang,
    logout,
    submit,
    submit_button,
    switch_language,
    visit,
)

FIELDS = ("name", "email", "password", "confirm")
_numbers = itertools.count(1)


def new_email(prefix: str = "nieuw") -> str:
    return f"{prefix}-{next(_numbers)}@example.org"


def _fill(page: Page, **values: str) -> None:
    for name, value in values.items():
        page.locator(f"#{name}").fill(value)


def _errors(page: Page) -> dict[str, str]:
    """The field messages shown, by field id."""
    out = {}
    for name in FIELDS:
        message = page.locator(f"#{name}-error")
        if message.count():
            out[name] = message.inner_text()
    return out


def _check_error_display(page: Page, fields: tuple[str, ...]) -> None:
    """The summary is at the top of the form, says what is wrong, and links to each field;
    each field has its message, tied to the input with aria-describedby."""
    summary = page.locator(".bb-error-summary")
    assert summary.count() == 1
    assert summary.get_attribute("role") == "alert"
    summary_box = summary.bounding_box()
    form_box = page.locator("#main form[method=post]").first.bounding_box()
    assert summary_box is not None and form_box is not None
    assert summary_box["y"] < form_box["y"], "the error summary should come before the form"
    # The list of problems comes under its heading, not squeezed beside it.
    heading_box = summary.locator("h2").bounding_box()
    list_box = summary.locator("ul").bounding_box()
    assert heading_box is not None and list_box is not None
    assert list_box["y"] >= heading_box["y"] + heading_box["height"] - 1
    links = summary.locator("li a")
    assert sorted(links.evaluate_all("els => els.map(a => a.getAttribute('href'))")) == sorted(f"#{f}" for f in fields)
    assert sorted(_errors(page)) == sorted(fields)
    for name in fields:
        field_input = page.locator(f"#{name}")
        assert field_input.get_attribute("aria-invalid") == "true"
        assert f"{name}-error" in (field_input.get_attribute("aria-describedby") or "").split()
        assert page.locator(f"#{name}-error").is_visible()
    # A link in the summary takes you to its field.
    first = links.first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("location.hash") == target


def _register_with_errors_then_success(page: Page, lang: str) -> str:
    visit(page, "/register", lang=lang)
    submit(page, submit_button(page), status=422, lang=lang)
    _check_error_display(page, FIELDS)

    _fill(page, name="Nienke Nieuw", email="geen-e-mailadres", password="kort", confirm="anders")
    submit(page, submit_button(page), status=422, lang=lang)
    _check_error_display(page, ("email", "password", "confirm"))
    assert page.locator("#name").input_value() == "Nienke Nieuw"
    assert page.locator("#email").input_value() == "geen-e-mailadres"
    assert page.locator("#password").input_value() == ""
    assert page.locator("#confirm").input_value() == ""

    # A long enough password that is not repeated the same way.
    _fill(page, email=new_email(), password="lang genoeg wachtwoord", confirm="lang genoeg wachtwoorden")
    submit(page, submit_button(page), status=422, lang=lang)
    _check_error_display(page, ("confirm",))

    email = new_email()
    _fill(page, email=email.upper(), password="lang genoeg wachtwoord", confirm="lang genoeg wachtwoord")
    result = submit(page, submit_button(page), post_status=303, lang=lang)
    assert result.url.endswith("/profile")
    assert page.locator(".bb-flashes").count() == 1
    assert email in page.locator("main").inner_text(), "the address is stored in lower case"
    assert page.locator("#name").input_value() == "Nienke Nieuw"
    assert page.locator("#locale").input_value() == lang
    return email


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_register_in_dutch(new_page, js: bool) -> None:  # type: ignore[no-untyped-def]
    page = new_page(js=js)
    _register_with_errors_then_success(page, "nl")
    assert page.locator("h1").inner_text() == "Mijn account"
    logout(page)


def test_register_in_english(page: Page) -> None:
    visit(page, "/register")
    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "Create an account"
    submit(page, submit_button(page), status=422, lang="en")
    assert _errors(page)["name"] == "Enter your name."
    assert page.locator(".bb-error-summary h2").inner_text() == "There are 4 problems with what you entered"
    _register_with_errors_then_success(page, "en")
    assert page.locator("h1").inner_text() == "My account"
    # Logging out keeps the language the account was using.
    logout(page, lang="en")
    assert html_lang(page) == "en"


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_register_with_an_address_that_has_an_account(new_page, js: bool) -> None:  # type: ignore[no-untyped-def]
    page = new_page(js=js)
    visit(page, "/register")
    _fill(page, name="Dubbel", email=RESIDENT, password="lang genoeg wachtwoord", confirm="lang genoeg wachtwoord")
    submit(page, submit_button(page), status=422)
    assert list(_errors(page)) == ["email"]
    assert page.locator("#email").input_value() == RESIDENT
    assert page.locator("nav.bb-nav form[action='/logout']").count() == 0


def test_error_summary_on_a_phone(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport={"width": 320, "height": 640})
    visit(page, "/register")
    submit(page, submit_button(page), status=422)
    _check_error_display(page, FIELDS)
    width, viewport = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= viewport
