"""A resident sends in a plan, with and without JavaScript, then changes it, supports another
plan and reacts; every page is checked with axe, in Dutch and English."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page

from tests.browser.support import check_axe, flash_text, login, submit, switch_language, visit

ROUND = "wijkbudgetten-2027"


def _jpeg(tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "vijver.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _fill(page: Page, title: str, cost: str = "2.500") -> None:
    page.locator("#title").fill(title)
    page.locator("#summary").fill("Een bankje om te rusten.")
    page.locator("#body").fill("Regel een.\n\n<b>Geen HTML</b> hier.")
    page.locator("#cost").fill(cost)
    page.locator("#district").select_option(label="Aldeburen")
    page.locator("#address").fill("Dorpsstraat 1")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_resident_submits_and_edits_a_plan(new_page, tmp_path, restore_demo_accounts, js: bool) -> None:  # type: ignore[no-untyped-def]
    page = new_page(js=js, viewport={"width": 375, "height": 740})
    login(page, "bewoner@example.org")
    visit(page, f"/rondes/{ROUND}/voorstellen")
    visit(page, f"/rondes/{ROUND}/voorstellen/nieuw")
    title = f"Bankje bij de vijver ({'js' if js else 'zonder js'})"
    # First with mistakes: field errors, values kept, 422.
    _fill(page, title, cost="nul")
    page.locator("#image_1").set_input_files(_jpeg(tmp_path))
    submit(page, page.locator("button[value=publish]"), status=422)
    assert page.locator(".bb-error-summary li").count() == 2  # cost and the image description
    assert page.locator("#title").input_value() == title
    page.locator("#cost").fill("2.500")
    page.locator("#image_1").set_input_files(_jpeg(tmp_path))
    page.locator("#alt_1").fill("Foto van de vijver")
    result = submit(page, page.locator("button[value=publish]"), post_status=303)
    assert re.search(r"/voorstellen/\d+$", result.url)
    assert page.locator("h1").inner_text() == title
    assert "<b>Geen HTML</b> hier." in page.locator(".bb-body").inner_text()
    assert page.locator("img[alt='Foto van de vijver']").count() == 1
    # Change the cost: the public history shows both estimates.
    submit(page, page.locator("a[href$='/bewerken']"))
    page.locator("#cost").fill("3.000")
    submit(page, page.locator("button[value=save]"), post_status=303)
    history = page.locator("table").inner_text()
    assert "2.500,00" in history and "3.000,00" in history
    switch_language(page, "en")
    check_axe(page)


def test_support_with_htmx_and_comment(new_page) -> None:  # type: ignore[no-untyped-def]
    author = new_page()
    login(author, "bewoner@example.org")
    visit(author, f"/rondes/{ROUND}/voorstellen/nieuw")
    _fill(author, "Plan om te steunen")
    submit(author, author.locator("button[value=publish]"), post_status=303)
    url = author.url

    other = new_page()
    login(other, "ambtenaar@example.org")  # any account may support
    visit(other, url)
    other.locator("#steun button[type=submit]").click()
    other.locator("#steun button.utrecht-button--secondary-action").wait_for()  # "withdraw my support"
    assert other.url == url  # swapped in place, no navigation
    assert "1" in other.locator(".bb-support__count").inner_text()
    check_axe(other)
    other.locator("#comment-body-new").fill("Goed plan!")
    submit(other, other.locator("#reacties form >> button[type=submit]").last, post_status=303)
    assert "Goed plan!" in other.locator("#reacties").inner_text()
    assert flash_text(other)
