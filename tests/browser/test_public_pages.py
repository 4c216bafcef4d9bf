"""Anonymous visitors: every public page in Dutch (the default) and English, with and without
JavaScript, on a phone-sized screen, and by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.support import (
    ADMIN,
    check_axe,
    html_lang,
    language_button,
    login,
    scroll_width_and_viewport,
    submit,
    submit_button,
    switch_language,
    visit,
)

PUBLIC_PAGES = [
    "/",
    "/rondes/wijkbudgetten-2027",
    "/rondes/burgerbegroting-2026",
    "/login",
    "/register",
    "/password/forgot",
    "/privacy",
    "/toegankelijkheid",
]

NOT_FOUND = ["/bestaat-niet", "/rondes/bestaat-niet"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_in_dutch_then_english(page: Page, path: str) -> None:
    visit(page, path, lang="nl")
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1
    assert language_button(page).inner_text() == "English"

    switch_language(page, "en")
    assert page.locator("h1").count() == 1
    assert language_button(page).inner_text() == "Nederlands"
    # The choice sticks for the rest of the visit.
    visit(page, "/", lang="en")


@pytest.mark.parametrize("path", NOT_FOUND)
def test_not_found_page_in_both_languages(page: Page, path: str) -> None:
    visit(page, path, status=404, lang="nl")
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    assert page.locator("main a[href='/']").count() == 1
    switch_language(page, "en", status=404)
    assert page.locator("h1").inner_text() == "Page not found"


def test_login_heading_in_both_languages(page: Page) -> None:
    visit(page, "/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggen"
    assert page.locator("label[for=email]").count() == 1
    assert page.locator("label[for=password]").count() == 1
    switch_language(page, "en")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.title().startswith("Log in")


def test_home_lists_the_demo_rounds(page: Page) -> None:
    visit(page, "/")
    assert page.locator("main a[href='/rondes/burgerbegroting-2026']").count() == 1
    assert page.locator("main a[href='/rondes/wijkbudgetten-2027']").inner_text() == "Wijk- en dorpsbudgetten 2027"
    with page.expect_navigation():
        page.locator("main a[href='/rondes/wijkbudgetten-2027']").click()
    check_axe(page)
    # The 14 kernen of Voorbeeldland, each with its budget.
    for kern in ("Aldeburen", "Havenkwartier", "Westerpolder"):
        assert page.locator("main table tbody th", has_text=kern).count() == 1
    assert page.locator("tr.bb-current").count() == 1


def test_anonymous_staff_area_asks_to_log_in(page: Page) -> None:
    response = visit(page, "/beheer/")
    assert page.url.endswith("/login?next=%2Fbeheer%2F")
    assert response.request.redirected_from is not None


def test_forgot_password_form(page: Page) -> None:
    visit(page, "/password/forgot")
    submit(page, submit_button(page), status=422)
    assert page.locator("#email-error").is_visible()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    page.locator("#email").fill("iemand@example.org")
    submit(page, submit_button(page), status=200)
    assert "iemand@example.org" in page.locator("main").inner_text()


# 320 CSS pixels: the width WCAG 1.4.10 (reflow) asks for; phones are at least this wide.
PHONE = {"width": 320, "height": 640}


def _assert_fits(page: Page) -> None:
    scroll_width, viewport = scroll_width_and_viewport(page)
    assert scroll_width <= viewport, f"{page.url}: page is {scroll_width}px wide on a {viewport}px screen"


@pytest.mark.parametrize("path", ["/", "/login", "/rondes/wijkbudgetten-2027", "/register"])
def test_phone_screen_has_no_horizontal_scrolling(new_page, path: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    visit(page, path)
    _assert_fits(page)
    switch_language(page, "en")
    _assert_fits(page)


def test_staff_pages_fit_a_phone_screen(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    login(page, ADMIN)
    for path in ("/profile", "/beheer/", "/beheer/medewerkers", "/beheer/medewerkers/nieuw",
                 "/beheer/accounts?q=example.org", "/beheer/audit"):
        visit(page, path)
        _assert_fits(page)
        if path in ("/beheer/medewerkers", "/beheer/audit"):
            # The wide table scrolls inside a named, keyboard-reachable region instead of
            # breaking words anywhere.
            region = page.locator(".bb-table-scroll")
            assert region.get_attribute("tabindex") == "0"
            name = page.locator("#" + (region.get_attribute("aria-labelledby") or "missing")).inner_text()
            assert name.strip()
            sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
            assert sizes[0] >= sizes[1] > 0


# -- Without JavaScript ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/bestaat-niet"])
def test_language_switch_without_javascript(nojs_page: Page, path: str) -> None:
    status = 404 if path == "/bestaat-niet" else 200
    visit(nojs_page, path, status=status, lang="nl")
    switch_language(nojs_page, "en", status=status)
    visit(nojs_page, "/privacy", lang="en")
    switch_language(nojs_page, "nl")
    assert html_lang(nojs_page) == "nl"


# -- Keyboard ------------------------------------------------------------------------------

def _focused(page: Page) -> dict[str, str]:
    return page.evaluate(
        """() => { const el = document.activeElement; const style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className, href: el.getAttribute('href') || '',
                outline: style.outlineStyle, shadow: style.boxShadow}; }"""
    )


def test_first_tab_reaches_the_skip_link_and_enter_moves_to_main(page: Page) -> None:
    visit(page, "/")
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert "utrecht-skip-link" in focused["cls"]
    skip = page.locator("a.utrecht-skip-link")
    assert skip.is_visible()
    box = skip.bounding_box()
    assert box is not None and box["width"] > 1 and box["height"] > 1
    assert focused["outline"] != "none" or focused["shadow"] != "none"
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")
    assert _focused(page)["id"] == "main"
    # The next Tab continues inside the content, not at the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_every_focus_stop_on_the_login_page_is_visible(page: Page) -> None:
    visit(page, "/login")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "body":
            break
        key = (focused["tag"], focused["id"], focused["href"], focused["cls"])
        if key in seen:
            break
        seen.append(key)
        assert focused["outline"] != "none" or focused["shadow"] != "none", f"no visible focus on {focused}"
    ids = [key[1] for key in seen]
    assert ids.index("email") < ids.index("password") < ids.index("remember")
    assert len(seen) > 6


# -- The accessibility check itself --------------------------------------------------------

BROKEN_PAGE = """<!doctype html><html lang="nl"><head><title>Kapot</title></head>
<body><main><h1>Kapot ({mode})</h1><img src="/static/nergens.png">
<form><input type="text" name="x"></form></main></body></html>"""


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_axe_check_fails_on_a_broken_page(new_page, js: bool) -> None:  # type: ignore[no-untyped-def]
    """The check that every other test relies on does find serious problems, also on pages
    loaded without JavaScript."""
    page = new_page(js=js)
    body = BROKEN_PAGE.format(mode="js" if js else "nojs")  # not the same DOM: no cached result
    page.route("**/axe-zelftest", lambda route: route.fulfill(body=body, content_type="text/html"))
    page.goto("/axe-zelftest")
    with pytest.raises(AssertionError) as failure:
        check_axe(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "label (critical)" in message
    assert "img" in message and "input" in message
