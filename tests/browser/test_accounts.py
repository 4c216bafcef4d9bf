"""Logging in and out with every demo account, in Dutch and English, with and without
JavaScript, and by keyboard only."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer
from tests.browser.support import (
    ADMIN,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    RESIDENT,
    STAFF_ACCOUNTS,
    follow,
    html_lang,
    login,
    logout,
    staff_link,
    submit,
    submit_button,
    switch_language,
    visit,
)

NAMES = {
    "bewoner@example.org": "Bea Bewoner",
    "ambtenaar@example.org": "Arjen Ambtenaar",
    "moderator@example.org": "Mira Moderator",
    "beheerder@example.org": "Bert Beheerder",
    "raadslid@example.org": "Roos Raadslid",
}
ADMIN_ONLY_LINKS = ["/beheer/medewerkers", "/beheer/accounts", "/beheer/audit"]
ADMIN_PAGES = ["/beheer/medewerkers", "/beheer/medewerkers/nieuw", "/beheer/accounts", "/beheer/audit"]


def _check_menu(page: Page, email: str, lang: str) -> None:
    links = staff_link(page)
    if email in STAFF_ACCOUNTS:
        assert links.count() == 1, f"{email} should see the staff area in the menu"
        assert links.inner_text() == {"nl": "Medewerkers", "en": "Staff area"}[lang]
    else:
        assert links.count() == 0, f"{email} should not see the staff area in the menu"
    my_account = page.locator("nav.bb-nav a[href='/profile']")
    assert my_account.inner_text() == {"nl": "Mijn account", "en": "My account"}[lang]
    assert page.locator("nav.bb-nav a[href='/login']").count() == 0


def _visit_own_pages(page: Page, email: str, lang: str) -> None:
    visit(page, "/profile", lang=lang)
    assert email in page.locator("main").inner_text()
    assert page.locator("#name").input_value() == NAMES[email]
    assert page.locator("#locale").input_value() == lang
    _check_menu(page, email, lang)

    if email not in STAFF_ACCOUNTS:
        visit(page, "/beheer/", status=403, lang=lang)
        visit(page, "/beheer/medewerkers", status=403, lang=lang)
        return
    assert follow(page, staff_link(page), lang=lang).url.endswith("/beheer/")
    admin_links = [page.locator(f"main a[href='{path}']") for path in ADMIN_ONLY_LINKS]
    if email != ADMIN:
        assert [link.count() for link in admin_links] == [0, 0, 0]
        visit(page, "/beheer/medewerkers", status=403, lang=lang)
        return
    assert [link.count() for link in admin_links] == [1, 1, 1]
    for path in ADMIN_PAGES:
        visit(page, path, lang=lang)
    visit(page, "/beheer/medewerkers", lang=lang)
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 4
    follow(page, rows.filter(has_text="ambtenaar@example.org").locator("a"), lang=lang)
    assert page.locator("input[name=roles][value=reviewer]").is_checked()
    assert not page.locator("input[name=roles][value=admin]").is_checked()


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_demo_account_in_dutch(page: Page, email: str) -> None:
    login(page, email)
    assert html_lang(page) == "nl"
    _check_menu(page, email, "nl")
    _visit_own_pages(page, email, "nl")
    logout(page)
    assert staff_link(page).count() == 0
    # Logged out means logged out: the profile asks to log in again.
    visit(page, "/profile")
    assert "/login?next=" in page.url


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_demo_account_in_english(page: Page, email: str, restore_demo_accounts: None) -> None:
    login(page, email)
    switch_language(page, "en")
    _check_menu(page, email, "en")
    _visit_own_pages(page, email, "en")
    logout(page, lang="en")
    # The language is the account's own setting: the next login is in English too.
    visit(page, "/login", lang="en")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    submit(page, submit_button(page), post_status=303, lang="en")
    assert page.locator(".bb-flashes").inner_text() == "You are logged in."


def test_wrong_password_keeps_email_and_explains(page: Page) -> None:
    visit(page, "/login")
    submit(page, submit_button(page), status=422)
    summary = page.locator(".bb-error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("a[href='#email']").count() == 1
    assert summary.locator("a[href='#password']").count() == 1

    page.locator("#email").fill(RESIDENT)
    page.locator("#password").fill("niet-het-wachtwoord")
    submit(page, submit_button(page), status=422)
    assert page.locator("#email").input_value() == RESIDENT
    assert page.locator("#password").input_value() == ""
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert "password-error" in (page.locator("#password").get_attribute("aria-describedby") or "")
    assert page.locator("#password-error").is_visible()
    assert page.locator("nav.bb-nav form[action='/logout']").count() == 0


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_never_redirects_off_site(page: Page, live_server: LiveServer, next_url: str) -> None:
    visit(page, "/login?next=" + quote(next_url, safe=""))
    page.locator("input[name=email]").fill(RESIDENT)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    submit(page, submit_button(page), post_status=303)
    assert page.url == live_server.url + "/"


def test_login_returns_to_the_page_asked_for(page: Page) -> None:
    visit(page, "/beheer/audit")
    assert "/login?next=" in page.url
    page.locator("input[name=email]").fill(ADMIN)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    result = submit(page, submit_button(page), post_status=303)
    assert result.url.endswith("/beheer/audit")


def test_login_with_keyboard_only(page: Page) -> None:
    visit(page, "/login")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    else:
        pytest.fail("Tab never reached the e-mail field")
    page.keyboard.type(RESIDENT)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "remember"
    page.keyboard.press("Space")
    assert page.locator("#remember").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/")
    assert page.locator("nav.bb-nav form[action='/logout']").count() == 1
    # "Stay logged in" was ticked with the space bar: the remember cookie is there.
    assert any(c["name"] == "remember_token" for c in page.context.cookies())


# -- Without JavaScript ---------------------------------------------------------------------

@pytest.mark.parametrize("email", [RESIDENT, ADMIN])
def test_login_and_logout_without_javascript(nojs_page: Page, email: str) -> None:
    login(nojs_page, email)
    _check_menu(nojs_page, email, "nl")
    _visit_own_pages(nojs_page, email, "nl")
    logout(nojs_page)


def test_failed_login_without_javascript(nojs_page: Page) -> None:
    visit(nojs_page, "/login")
    nojs_page.locator("#email").fill("geen-adres")
    submit(nojs_page, submit_button(nojs_page), status=422)
    assert nojs_page.locator("#email").input_value() == "geen-adres"
    assert nojs_page.locator("#email-error").is_visible()
    assert nojs_page.locator("#password-error").is_visible()
    assert nojs_page.locator(".bb-error-summary li").count() == 2
