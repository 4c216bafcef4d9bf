"""Helpers for the browser tests: navigate, check accessibility with axe, log in and out.

Every page a test visits goes through ``visit`` (or ``submit`` for form posts), which checks the
HTTP status, the ``<html lang>`` and runs axe-core; a violation with impact "serious" or
"critical" fails the test. Lesser findings are collected in ``AXE_NOTES`` and printed at the end
of the run.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, Response, Route

DEMO_PASSWORD = "demo-wachtwoord"
RESIDENT = "bewoner@example.org"
REVIEWER = "ambtenaar@example.org"
MODERATOR = "moderator@example.org"
ADMIN = "beheerder@example.org"
COUNCIL = "raadslid@example.org"
DEMO_ACCOUNTS = (RESIDENT, REVIEWER, MODERATOR, ADMIN, COUNCIL)
STAFF_ACCOUNTS = (REVIEWER, MODERATOR, ADMIN, COUNCIL)

FAILING_IMPACTS = frozenset({"serious", "critical"})

_AXE = Axe()

# (rule id, impact) -> set of URLs, for findings below "serious".
AXE_NOTES: dict[tuple[str, str], set[str]] = {}


@dataclass
class BrowserState:
    """What the fixtures share with the helpers: a page with JavaScript on, used to run axe on
    pages that were loaded with JavaScript off (axe.run is asynchronous and cannot run there),
    and the axe results of DOMs already checked."""

    axe_page: Page | None = None
    axe_html: str = ""
    no_js_pages: set[int] = field(default_factory=set)
    checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    axe_runs: int = 0
    axe_seconds: float = 0.0
    pages_checked: int = 0


STATE = BrowserState()

# Parts of a page that change from load to load but not its accessibility: the CSRF token and
# the address the language switch returns to.
_VOLATILE = re.compile(
    r'(name="(?:csrf_token|next)"[^>]*?value=")[^"]*(")|(value=")[^"]*("[^>]*?name="(?:csrf_token|next)")'
)


def format_violations(violations: list[dict[str, Any]], url: str) -> str:
    lines = [f"axe found {len(violations)} serious/critical accessibility problem(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def _serve_current_html(route: Route) -> None:
    route.fulfill(status=200, body=STATE.axe_html, content_type="text/html; charset=utf-8")


def _run_axe(page: Page, html: str) -> list[dict[str, Any]]:
    if id(page) not in STATE.no_js_pages:
        return list(_AXE.run(page).response["violations"])
    # JavaScript is off in this page: show the same HTML at the same URL (so with the same
    # CSS) in a page with JavaScript on but without htmx, and run axe there.
    helper = STATE.axe_page
    assert helper is not None
    STATE.axe_html = html
    url = page.url
    helper.set_viewport_size(page.viewport_size or {"width": 1280, "height": 720})
    helper.route(lambda candidate: candidate == url, _serve_current_html)
    try:
        helper.goto(url)
        return list(_AXE.run(helper).response["violations"])
    finally:
        helper.unroute_all()


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations for the page as it is now; the same DOM at the same screen size gives
    the same result, so it is checked once."""
    html = page.content()
    size = page.viewport_size or {}
    key = f"{size.get('width')}x{size.get('height')}\n" + _VOLATILE.sub(r"\1\2\3\4", html)
    STATE.pages_checked += 1
    if key not in STATE.checked:
        started = time.perf_counter()
        STATE.checked[key] = _run_axe(page, html)
        STATE.axe_runs += 1
        STATE.axe_seconds += time.perf_counter() - started
    return STATE.checked[key]


def check_axe(page: Page) -> None:
    """Fail on serious or critical axe-core violations on the current page."""
    violations = _axe_violations(page)
    for v in violations:
        if v["impact"] not in FAILING_IMPACTS:
            AXE_NOTES.setdefault((v["id"], str(v["impact"])), set()).add(page.url)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, format_violations(failing, page.url)


def html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def check_page(page: Page, response: Response | None, status: int | tuple[int, ...], lang: str) -> None:
    assert response is not None, f"no response for {page.url}"
    expected = (status,) if isinstance(status, int) else status
    assert response.status in expected, f"{page.url}: status {response.status}, expected {expected}"
    assert html_lang(page) == lang, f"{page.url}: <html lang={html_lang(page)!r}>, expected {lang!r}"
    check_axe(page)


def visit(page: Page, path: str, *, status: int | tuple[int, ...] = 200, lang: str = "nl") -> Response:
    """Go to ``path``, check the status and the page language, run axe."""
    response = page.goto(path)
    check_page(page, response, status, lang)
    assert response is not None
    return response


@dataclass
class Submitted:
    """The outcome of a form post: the status of the POST itself and of the page shown."""

    post_status: int
    status: int
    url: str


def submit(page: Page, button: Locator, *, status: int | tuple[int, ...] = 200, lang: str = "nl",
           post_status: int | tuple[int, ...] | None = None) -> Submitted:
    """Click ``button`` (a form's submit button), wait for the page that follows, check it."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    first = response.request
    while first.redirected_from is not None:
        first = first.redirected_from
    first_response = first.response()
    assert first_response is not None
    if post_status is not None:
        wanted = (post_status,) if isinstance(post_status, int) else post_status
        assert first_response.status in wanted, f"POST {first.url}: {first_response.status}, expected {wanted}"
    check_page(page, response, status, lang)
    return Submitted(post_status=first_response.status, status=response.status, url=page.url)


def follow(page: Page, link: Locator, *, status: int = 200, lang: str = "nl") -> Submitted:
    """Click a link and check the page it leads to."""
    return submit(page, link, status=status, lang=lang)


def main_form(page: Page) -> Locator:
    """The form in the page content (not the language or logout form in the header)."""
    return page.locator("#main form[method=post]").first


def submit_button(page: Page) -> Locator:
    return main_form(page).locator("button[type=submit]")


def staff_link(page: Page) -> Locator:
    return page.locator("nav.bb-nav a[href='/beheer/']")


def logout_button(page: Page) -> Locator:
    return page.locator("nav.bb-nav form[action='/logout'] button[type=submit]")


def language_button(page: Page) -> Locator:
    return page.locator("header form.bb-language button[type=submit]")


def flash_text(page: Page) -> str:
    return page.locator(".bb-flashes").inner_text()


def login(page: Page, email: str, password: str = DEMO_PASSWORD, *, lang: str = "nl") -> Submitted:
    """Log in through the form; the result is the home page with a flash message."""
    visit(page, "/login", lang=lang)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    result = submit(page, submit_button(page), post_status=303, lang=lang)
    assert result.url.endswith("/"), f"after login: {result.url}"
    assert page.locator(".bb-flashes").count() == 1
    assert logout_button(page).count() == 1
    return result


def logout(page: Page, *, lang: str = "nl") -> Submitted:
    result = submit(page, logout_button(page), post_status=303, lang=lang)
    assert logout_button(page).count() == 0
    assert page.locator("nav.bb-nav a[href='/login']").count() == 1
    return result


def switch_language(page: Page, to: str, *, status: int = 200) -> Submitted:
    """Press the language button in the header (a POST form) and land on the same page."""
    before = page.url
    button = language_button(page)
    assert button.get_attribute("value") == to
    assert button.get_attribute("lang") == to
    result = submit(page, button, post_status=303, status=status, lang=to)
    assert result.url == before, f"language switch went from {before} to {result.url}"
    return result


def scroll_width_and_viewport(page: Page) -> tuple[int, int]:
    widths: list[int] = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return widths[0], widths[1]
