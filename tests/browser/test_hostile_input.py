"""Hostile and unusual input in forms and addresses: nothing executes, text is shown as
typed, and the answer is never a server error.

The pages here are opened with ``bypass_csp=True``: the site's Content Security Policy would
block an injected inline script anyway, and these tests check the escaping itself, so a
script that slipped through must be able to run and be noticed.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    ADMIN,
    login,
    submit,
    submit_button,
    visit,
)

XSS_NAME = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
XSS_ATTRIBUTE = '"><svg onload="window.__xss=3"><b id="xss-b">'
UNICODE_NAME = "Zoë 🚲 \u202e Ærø 山田 ﷽"
PASSWORD = "een veilig wachtwoord"
_numbers = itertools.count(1)


def _email(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}@example.org"


def assert_nothing_injected(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", "an injected script ran"
    assert page.locator("img[src=x], svg[onload], #xss-b").count() == 0, "injected markup is in the DOM"
    inline = page.locator("script:not([src])").evaluate_all("els => els.map(e => e.textContent)")
    assert inline == [], f"inline scripts in the page: {inline}"


@pytest.fixture
def hostile_page(new_page) -> Page:  # type: ignore[no-untyped-def]
    return new_page(bypass_csp=True)


def _register(page: Page, name: str, email: str, *, status: int = 200, post_status: int | None = 303) -> None:
    visit(page, "/register")
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    submit(page, submit_button(page), status=status, post_status=post_status)


@pytest.mark.parametrize("name", [XSS_NAME, XSS_ATTRIBUTE])
def test_markup_in_a_name_is_shown_as_text(hostile_page: Page, new_page, name: str) -> None:  # type: ignore[no-untyped-def]
    page = hostile_page
    # First with a wrong address: the form comes back with the name in the input.
    _register(page, name, "<script>window.__xss=9</script>@example.org", status=422, post_status=422)
    assert_nothing_injected(page)
    assert page.locator("#name").input_value() == name
    assert page.locator("#email").input_value() == "<script>window.__xss=9</script>@example.org"
    assert page.locator("#email-error").is_visible()

    email = _email("xss")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    submit(page, submit_button(page), post_status=303)
    assert page.url.endswith("/profile")
    assert_nothing_injected(page)
    assert page.locator("#name").input_value() == name

    # The administrator finds the account; its name is shown in the results as text.
    admin = new_page(bypass_csp=True)
    login(admin, ADMIN)
    visit(admin, "/beheer/accounts?q=" + quote(email))
    result = admin.locator("#account-results li")
    assert result.count() == 1
    assert f"{email} ({name})" in result.inner_text()
    assert_nothing_injected(admin)


def test_markup_in_addresses_and_search(hostile_page: Page) -> None:
    page = hostile_page
    visit(page, "/bestaat-niet?x=" + quote('"><script>window.__xss=4</script>'), status=404)
    assert_nothing_injected(page)
    visit(page, "/login?next=" + quote('/"><script>window.__xss=5</script>'))
    assert_nothing_injected(page)
    login(page, ADMIN)
    query = '<img src=x onerror="window.__xss=6">'
    visit(page, "/beheer/accounts?q=" + quote(query))
    assert_nothing_injected(page)
    assert page.locator("#q").input_value() == query
    assert query in page.locator("#account-results").inner_text()


def test_unicode_name_and_address_are_kept(page: Page) -> None:
    email = f"zoë-{next(_numbers)}@example.org"
    _register(page, UNICODE_NAME, email)
    assert page.url.endswith("/profile")
    assert page.locator("#name").input_value() == UNICODE_NAME
    assert email in page.locator("main").inner_text()


def test_the_browser_keeps_values_within_the_limits(page: Page) -> None:
    visit(page, "/register")
    page.locator("#name").fill("n" * 150)
    assert len(page.locator("#name").input_value()) == 100
    page.locator("#email").fill("e" * 300)
    assert len(page.locator("#email").input_value()) == 254


def _drop_length_limits(page: Page) -> None:
    """What a hostile client does: ignore the form's maxlength."""
    page.evaluate("document.querySelectorAll('[maxlength]').forEach(el => el.removeAttribute('maxlength'))")


@pytest.mark.parametrize("field,value", [
    ("name", "n" * 101),
    ("name", "n" * 20_000),
    ("email", "e" * 300 + "@example.org"),
    ("password", "p" * 201),
])
def test_too_long_values_get_a_message(page: Page, field: str, value: str) -> None:
    visit(page, "/register")
    _drop_length_limits(page)
    values = {"name": "Lange Naam", "email": _email("lang"), "password": PASSWORD, "confirm": PASSWORD}
    values[field] = value
    if field == "password":
        values["confirm"] = value
    for name, text in values.items():
        page.locator(f"#{name}").fill(text)
    submit(page, submit_button(page), status=422)
    assert page.locator(f"#{field}-error").is_visible()
    assert page.locator(f".bb-error-summary a[href='#{field}']").count() == 1
    assert page.locator("nav.bb-nav form[action='/logout']").count() == 0


def test_a_huge_form_value_gets_a_message(page: Page) -> None:
    # 600 kB: more than MAX_FORM_MEMORY_SIZE, which Werkzeug (3.1.9+) no longer applies to
    # url-encoded forms; MAX_CONTENT_LENGTH (16 MB) bounds the request, the validator the value.
    visit(page, "/register")
    _drop_length_limits(page)
    page.locator("#name").fill("x" * 600_000)
    submit(page, submit_button(page), status=422)
    assert page.locator("#name-error").is_visible()
    assert page.locator(".bb-error-summary a[href='#name']").count() == 1


def test_control_characters_get_a_friendly_page(page: Page) -> None:
    _register(page, "Escape\x1bcharacter", _email("ctrl"), status=400, post_status=400)
    assert page.locator("main a[href='/']").count() == 1
    assert page.locator("nav.bb-nav form[action='/logout']").count() == 0
