"""The process administrator: staff accounts and roles, the account search (htmx, and as a
plain GET form without JavaScript), and the audit log that records it all."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    ADMIN,
    RESIDENT,
    check_axe,
    follow,
    login,
    staff_link,
    submit,
    submit_button,
    switch_language,
    visit,
)

PASSWORD = "eerste wachtwoord voor de collega"
_numbers = itertools.count(1)


def _role(page: Page, role: str):  # type: ignore[no-untyped-def]
    return page.locator(f"input[name=roles][value={role}]")


def _create_staff(page: Page, name: str, email: str, roles: tuple[str, ...], lang: str = "nl") -> int:
    """Fill in the new staff form and return the new account's id (from its roles link)."""
    visit(page, "/beheer/medewerkers/nieuw", lang=lang)
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    for role in roles:
        _role(page, role).check()
    result = submit(page, submit_button(page), post_status=303, lang=lang)
    assert result.url.endswith("/beheer/medewerkers")
    row = page.locator("main table tbody tr", has_text=email)
    assert row.count() == 1
    href = row.locator("a").get_attribute("href") or ""
    match = re.fullmatch(r"/beheer/accounts/(\d+)/rollen", href)
    assert match, href
    return int(match.group(1))


def test_admin_creates_staff_changes_roles_and_reads_the_audit_log(page: Page, new_page) -> None:  # type: ignore[no-untyped-def]
    login(page, ADMIN)
    visit(page, "/beheer/medewerkers/nieuw")

    # Nothing filled in: every field says what is missing.
    submit(page, submit_button(page), status=422)
    summary = page.locator(".bb-error-summary")
    hrefs = summary.locator("li a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["#email", "#name", "#password", "#roles"]
    assert page.locator("#roles-error").is_visible()
    assert page.locator("fieldset#roles").get_attribute("aria-describedby") == "roles-error"

    # Only "resident" is not a staff role.
    email = f"collega-{next(_numbers)}@example.org"
    page.locator("#name").fill("Cor Collega")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    _role(page, "resident").check()
    submit(page, submit_button(page), status=422)
    assert summary.locator("li a").evaluate_all("els => els.map(a => a.getAttribute('href'))") == ["#roles"]
    assert page.locator("#name").input_value() == "Cor Collega"
    assert page.locator("#email").input_value() == email
    assert page.locator("#password").input_value() == "", "a password is never sent back to the browser"
    assert _role(page, "resident").is_checked()

    _role(page, "resident").uncheck()
    user_id = _create_staff(page, "Cor Collega", email, ("reviewer",))
    assert page.locator(".bb-flashes").count() == 1
    row = page.locator("main table tbody tr", has_text=email)
    assert row.locator("th").inner_text() == "Cor Collega"

    # The new colleague can log in and sees the staff area.
    colleague = new_page()
    login(colleague, email, PASSWORD)
    assert staff_link(colleague).count() == 1
    visit(colleague, "/beheer/")

    # The administrator changes the roles: moderator instead of reviewer.
    follow(page, row.locator("a"))
    assert page.url.endswith(f"/beheer/accounts/{user_id}/rollen")
    assert _role(page, "reviewer").is_checked()
    assert not _role(page, "moderator").is_checked()
    _role(page, "reviewer").uncheck()
    _role(page, "moderator").check()
    result = submit(page, submit_button(page), post_status=303)
    assert result.url.endswith("/beheer/medewerkers")
    visit(page, f"/beheer/accounts/{user_id}/rollen")
    assert _role(page, "moderator").is_checked()
    assert not _role(page, "reviewer").is_checked()

    # Then takes every staff role away: the colleague's open session loses the staff area at once.
    _role(page, "moderator").uncheck()
    _role(page, "resident").check()
    submit(page, submit_button(page), post_status=303)
    visit(colleague, "/beheer/")
    assert "/login" in colleague.url, "a session from before the role change must not keep working"

    # The audit log shows all three changes, newest first, and the chain is intact.
    visit(page, "/beheer/audit")
    assert page.locator("main .utrecht-alert--ok").count() == 1
    events = page.locator("main table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")
    # Columns: number, when, who, what, about, details.
    mine = [(e[3], e[5]) for e in events if e[4] == f"user:{user_id}"]
    assert mine == [
        ("roles_changed", '{"roles": ["resident"]}'),
        ("roles_changed", '{"roles": ["moderator"]}'),
        ("staff_created", '{"roles": ["reviewer"]}'),
    ]
    admin_id = {e[2] for e in events if e[4] == f"user:{user_id}"}
    assert len(admin_id) == 1 and admin_id != {"–"}, "every change names the administrator who made it"


def test_admin_cannot_take_away_own_admin_role(page: Page, restore_demo_accounts: None) -> None:
    login(page, ADMIN)
    visit(page, "/beheer/medewerkers")
    row = page.locator("main table tbody tr", has_text=ADMIN)
    follow(page, row.locator("a"))
    assert _role(page, "admin").is_checked()
    _role(page, "admin").uncheck()
    _role(page, "moderator").check()
    submit(page, submit_button(page), status=422)
    assert page.locator("#roles-error").is_visible()
    assert page.locator(".bb-error-summary a[href='#roles']").count() == 1
    # Nothing was saved: the administrator still has the staff pages.
    visit(page, "/beheer/medewerkers")


def test_staff_form_in_english(page: Page, restore_demo_accounts: None) -> None:
    login(page, ADMIN)
    visit(page, "/beheer/medewerkers/nieuw")
    switch_language(page, "en")
    assert page.locator("h1").inner_text() == "New staff account"
    assert page.locator("fieldset#roles legend").inner_text() == "Roles"
    email = f"colleague-{next(_numbers)}@example.org"
    _create_staff(page, "Colin Colleague", email, ("council", "moderator"), lang="en")
    row = page.locator("main table tbody tr", has_text=email)
    assert "Council member" in row.inner_text()
    assert "Moderator" in row.inner_text()


# -- Account search: htmx with JavaScript, a normal GET form without ------------------------

def test_account_search_with_htmx(page: Page) -> None:
    login(page, ADMIN)
    visit(page, "/beheer/accounts")
    assert page.locator("#account-results li").count() == 0
    page.evaluate("window.__same_page = true")
    page.locator("#q").fill("bewoner")
    results = page.locator("#account-results li")
    results.first.wait_for()
    assert RESIDENT in results.first.inner_text()
    # Updated in place: the page was not reloaded, and the address can be bookmarked.
    assert page.evaluate("window.__same_page") is True
    page.wait_for_url("**/beheer/accounts?q=bewoner")
    assert page.locator("h1").count() == 1, "the fragment replaced only the results"
    check_axe(page)

    # Pressing the button works the same way; an unknown address says so.
    page.locator("#q").fill("niemand-hier")
    page.locator("#main form[role=search] button[type=submit]").click()
    page.locator("#account-results p").wait_for()
    assert "niemand-hier" in page.locator("#account-results").inner_text()
    assert page.evaluate("window.__same_page") is True
    check_axe(page)


def test_account_search_without_javascript(nojs_page: Page) -> None:
    page = nojs_page
    login(page, ADMIN)
    visit(page, "/beheer/accounts")
    page.locator("#q").fill("example.org")
    result = submit(page, page.locator("#main form[role=search] button[type=submit]"))
    assert result.url.endswith("/beheer/accounts?q=example.org")
    emails = page.locator("#account-results li").all_inner_texts()
    assert any(RESIDENT in e for e in emails)
    assert any(ADMIN in e for e in emails)
    assert page.locator("#q").input_value() == "example.org"
    follow(page, page.locator("#account-results li", has_text=RESIDENT).locator("a"))
    assert page.locator("input[name=roles][value=resident]").is_checked()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_staff_pages_are_closed_to_a_resident(new_page, js: bool) -> None:  # type: ignore[no-untyped-def]
    page = new_page(js=js)
    login(page, RESIDENT)
    for path in ("/beheer/", "/beheer/accounts?q=a", "/beheer/audit"):
        visit(page, path, status=403)
        assert page.locator("#account-results").count() == 0
