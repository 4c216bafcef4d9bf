"""Every page staff and council members reach fits a 320 px screen (WCAG 1.4.10, reflow) and
passes axe. The pages are found by following the links from the start pages (one page per
address pattern, so ten rounds count once), so a new admin page is checked without being
listed here."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.support import ADMIN, COUNCIL, login, scroll_width_and_viewport, visit

PHONE = {"width": 320, "height": 640}
START = ["/beheer/", "/raad", "/rondes/wijkbudgetten-2027", "/profile"]
FOLLOW = ("/beheer", "/raad", "/rondes", "/plannen", "/profile")
NOT_PAGES = re.compile(r"logout|bestand|export|\.csv|\.pb|\.pdf|\.json|/static/")
MAX_PAGES = 40


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.mark.parametrize("account", [ADMIN, COUNCIL])  # (a reviewer sees a subset of the admin's pages)
def test_staff_and_council_pages_fit_a_phone(new_page, account: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport=PHONE)
    login(page, account)
    todo, seen, checked = list(START), set(), 0
    while todo and checked < MAX_PAGES:
        path = todo.pop(0)
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        response = visit(page, path, status=(200, 403))
        if response.status != 200:
            continue  # a page of another role (the access tests check those)
        checked += 1
        width, viewport = scroll_width_and_viewport(page)
        assert width <= viewport, f"{page.url}: {width}px wide on a {viewport}px screen"
        links = page.eval_on_selector_all("main a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in links:
            target = urlsplit(href)
            local = not target.netloc and target.path.startswith(FOLLOW) and not NOT_PAGES.search(href)
            if local and _pattern(target.path + ("?" + target.query if target.query else "")) not in seen:
                todo.append(target.path + ("?" + target.query if target.query else ""))
    assert checked >= (15 if account == ADMIN else 3), f"only {checked} pages reached"
