"""Background jobs in a real browser (axe on every page): an admin makes letters in the
background and downloads the PDF, with and without JavaScript; with JavaScript the job page
follows the progress by itself (htmx), without it a link refreshes the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import follow, login, main_form, submit, visit
from tests.web.conftest import DEMO_EMAILS


@pytest.fixture
def voting_round_ids(live_server):  # type: ignore[no-untyped-def]
    from tests.voting.conftest import make_voting_round

    with live_server.app.app_context():
        round_, district, _p, _ = make_voting_round()
        return round_.id, district.id


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_admin_makes_letters_in_the_background(new_page, voting_round_ids, js: bool) -> None:  # type: ignore[no-untyped-def]
    round_id, district_id = voting_round_ids
    page: Page = new_page(js=js)
    login(page, DEMO_EMAILS["admin"])
    visit(page, f"/beheer/rondes/{round_id}/stemcodes")
    form = page.locator(f"#main form[action='/beheer/rondes/{round_id}/stemcodes/achtergrond']")
    form.locator("select[name=district]").select_option(str(district_id))
    form.locator("input[name=count]").fill("0")
    submit(page, form.locator("button[type=submit]"), status=422)
    assert page.locator(".bb-error-summary").is_visible()
    form = page.locator(f"#main form[action='/beheer/rondes/{round_id}/stemcodes/achtergrond']")
    form.locator("input[name=count]").fill("2")
    done = submit(page, form.locator("button[type=submit]"), post_status=303)
    assert "/beheer/taken/" in done.url
    link = page.locator("#job-status a[href$='/bestand']")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    submit(page, main_form(page).locator("button[type=submit]"), post_status=303)
    expect(page.locator("#job-status a[href$='/bestand']")).to_have_count(0)
    follow(page, page.locator("#main a[href='/beheer/taken']"))


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_admin_makes_letters_from_a_register(new_page, voting_round_ids, js: bool) -> None:  # type: ignore[no-untyped-def]
    round_id, district_id = voting_round_ids
    page: Page = new_page(js=js)
    login(page, DEMO_EMAILS["admin"])
    visit(page, f"/beheer/rondes/{round_id}/stemcodes")
    action = f"#main form[action='/beheer/rondes/{round_id}/stemcodes/register']"
    bad = b"naam;straat;postcode;woonplaats\nA. Jansen;;9999AA;Dorp\nB. Bakker;Weg 2;12;Dorp\n"
    page.locator(f"{action} select[name=district]").select_option(str(district_id))
    page.locator(f"{action} input[name=file]").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": bad})
    submit(page, page.locator(f"{action} button[type=submit]"), status=422)
    assert page.locator(".bb-error-summary").is_visible()
    expect(page.locator("#main table caption", has_text="Problemen in het bestand")).to_be_visible()
    expect(page.locator(f"{action} select[name=district]")).to_have_value(str(district_id))  # the choice is kept
    good = b"naam;straat;postcode;woonplaats\nA. Jansen;Kerkstraat 1;9999AA;Dorp\nB. Bakker;Weg 2;9999AB;Dorp\n"
    page.locator(f"{action} input[name=file]").set_input_files(
        {"name": "register.csv", "mimeType": "text/csv", "buffer": good})
    done = submit(page, page.locator(f"{action} button[type=submit]"), post_status=303)
    assert "/beheer/taken/" in done.url
    expect(page.locator("h1")).to_contain_text("Brieven uit een register")
    link = page.locator("#job-status a[href$='/bestand']")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    follow(page, page.locator(f"#main a[href='/beheer/rondes/{round_id}/stemcodes']"))


def _running_job(live_server, round_id: int) -> int:  # type: ignore[no-untyped-def]
    from burgerbegroting.extensions import db
    from burgerbegroting.jobs.models import Job

    with live_server.app.app_context():
        job = Job(kind="count", status="running", round_id=round_id, progress_done=1, progress_total=4)
        db.session.add(job)
        db.session.commit()
        return job.id


def _finish(live_server, job_id: int) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.extensions import db
    from burgerbegroting.jobs.models import Job

    with live_server.app.app_context():
        job = db.session.get(Job, job_id)
        job.status, job.progress_done, job.finished_at = "done", 4, utcnow()
        db.session.commit()


def test_progress_updates_itself_with_htmx(page: Page, live_server, voting_round_ids) -> None:  # type: ignore[no-untyped-def]
    job_id = _running_job(live_server, voting_round_ids[0])
    login(page, DEMO_EMAILS["admin"])
    visit(page, f"/beheer/taken/{job_id}")
    expect(page.locator("#job-progress")).to_have_attribute("value", "25")
    _finish(live_server, job_id)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100", timeout=8000)  # no reload
    expect(page.locator("#job-status[hx-trigger]")).to_have_count(0)  # polling stopped


def test_progress_without_javascript_has_a_refresh_link(nojs_page: Page, live_server, voting_round_ids) -> None:  # type: ignore[no-untyped-def]
    job_id = _running_job(live_server, voting_round_ids[0])
    login(nojs_page, DEMO_EMAILS["admin"])
    visit(nojs_page, f"/beheer/taken/{job_id}")
    _finish(live_server, job_id)
    follow(nojs_page, nojs_page.locator(f"#job-status a[href='/beheer/taken/{job_id}']"))
    expect(nojs_page.locator("#job-progress")).to_have_attribute("value", "100")


def test_admin_counts_in_the_background(nojs_page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    from tests.results.conftest import make_counting_round

    with live_server.app.app_context():
        round_, _district, _p, _ = make_counting_round()
        slug, round_id = round_.slug, round_.id
    login(nojs_page, DEMO_EMAILS["admin"])
    visit(nojs_page, f"/beheer/rondes/{slug}/telling")
    button = nojs_page.locator(f"#main form[action='/beheer/rondes/{round_id}/telling/achtergrond'] button")
    submit(nojs_page, button, post_status=303)
    expect(nojs_page.locator("#job-progress")).to_have_attribute("value", "100")
    follow(nojs_page, nojs_page.locator(f"#job-status a[href='/beheer/rondes/{slug}/telling']"))
