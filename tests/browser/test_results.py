"""Results, evaluation and the council dashboard in a browser, in Dutch and English, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.support import COUNCIL, login, switch_language, visit

RESULT_PAGES = [
    "/rondes/kernenbudget-2025/uitslag",
    "/rondes/burgerbegroting-2026/uitslag",
    "/rondes/burgerbegroting-2026/evaluatie",
    "/rondes/wijkbudgetten-2027/uitslag",  # not published yet
]


@pytest.mark.parametrize("path", RESULT_PAGES)
def test_results_pages_in_dutch_then_english(page: Page, path: str) -> None:
    visit(page, path, lang="nl")
    assert page.locator("h1").count() == 1
    switch_language(page, "en")
    assert page.locator("h1").count() == 1


def test_published_results_explain_and_chart(page: Page) -> None:
    visit(page, "/rondes/kernenbudget-2025/uitslag", lang="nl")
    body = page.locator("main").inner_text()
    assert "Gekozen" in body and "SHA-256" in body
    assert page.locator("svg[role=img]").count() >= 2
    assert page.locator("a[href$='.pb']").count() == 3  # De Hoeve, Molenbroek, Veldhuizen
    visit(page, "/rondes/wijkbudgetten-2027/uitslag", lang="nl")
    assert page.locator("a[href$='.pb']").count() == 0


def test_council_dashboard(page: Page) -> None:
    login(page, COUNCIL)
    visit(page, "/raad", lang="nl")
    assert page.locator("svg[role=img]").count() >= 2
    switch_language(page, "en")
    assert "Council dashboard" in page.locator("h1").inner_text()
