"""Staff at work on a participation round (issue 5): an administrator sets up a round with 50
kernen from a CSV file and moves it on to voting, after which its budgets are locked; a reviewer
marks a plan feasible with a changed cost; a resident reports a reaction and a moderator hides
it. Every page is checked with axe; Dutch by default, parts in English and without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from playwright.sync_api import Page

from tests.browser.support import (
    ADMIN,
    MODERATOR,
    RESIDENT,
    REVIEWER,
    check_axe,
    flash_text,
    follow,
    login,
    submit,
    submit_button,
    switch_language,
    visit,
)

IDEAS_ROUND = "wijkbudgetten-2027"
REVIEW_ROUND = "dorpsbudgetten-noord-2027"
KERNEN = 50


def _csv_upload(text: str) -> list[dict[str, object]]:
    return [{"name": "kernen.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}]


def _kernen_csv(token: str) -> str:
    rows = ["name;kind;budget;postcodes"]
    for i in range(1, KERNEN + 1):
        budget = 10_000 + i * 100
        rows.append(f"Kern {i:02d} {token};kern;{budget // 1000}.{budget % 1000:03d};{8000 + i}")
    return "\n".join(rows) + "\n"


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _import(page: Page, csv_text: str, **kwargs: object):  # type: ignore[no-untyped-def]
    form = page.locator("form[action$='/gebieden/import']")
    form.locator("input[type=file]").set_input_files(files=_csv_upload(csv_text))  # type: ignore[arg-type]
    return submit(page, form.locator("button[type=submit]"), **kwargs)  # type: ignore[arg-type]


def test_admin_imports_50_kernen_moves_to_voting_and_budgets_lock(nojs_page: Page) -> None:
    page = nojs_page
    token = secrets.token_hex(3)
    name = f"Kernenronde {token}"
    login(page, ADMIN)
    visit(page, "/beheer/rondes")
    visit(page, "/beheer/rondes/nieuw")
    page.locator("#name").fill(name)
    page.locator("#description").fill("Een ronde voor alle kernen van de nieuwe gemeente.")
    submit(page, submit_button(page), post_status=303)
    match = re.search(r"/beheer/rondes/(\d+)/fasen$", page.url)
    assert match, page.url
    round_id = int(match.group(1))

    # A schedule in which everything starts later: the round is still in preparation.
    start = dt.datetime.now() + dt.timedelta(days=2)
    schedule = page.locator("form[action$='/fasen']")
    for phase, begin, end in (("ideas", 0, 10), ("review", 10, 20), ("voting", 20, 30)):
        schedule.locator(f"#{phase}_on").check()
        schedule.locator(f"#{phase}_start").fill(_local(start + dt.timedelta(days=begin)))
        schedule.locator(f"#{phase}_end").fill(_local(start + dt.timedelta(days=end)))
    submit(page, schedule.locator("button[type=submit]"), post_status=303)
    assert page.locator(".bb-phase--draft").count() == 1
    assert page.locator("#voting_on").is_checked()

    visit(page, f"/beheer/rondes/{round_id}/gebieden")
    assert page.locator("main table").count() == 0

    # A file with a wrong header: the problem is named and nothing is imported.
    bad_header = "plaats;kind;budget;postcodes\nKern A;kern;10.000;8001\n"
    _import(page, bad_header, status=422)
    problems = page.locator(".utrecht-alert--error table").inner_text()
    assert "plaats" in problems and "onbekende kolom" in problems
    assert "Er is niets geïmporteerd" in page.locator(".bb-error-summary").inner_text()
    assert page.locator("main table caption", has_text="wijken").count() == 0
    # One bad row among good ones: its line and field are named, and still nothing is imported.
    lines = _kernen_csv(token).splitlines()
    lines[7] = f"Kern 07 {token};kern;veel geld;8007"
    _import(page, "\n".join(lines) + "\n", status=422)
    rows = page.locator(".utrecht-alert--error table tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").first.inner_text() == "8"
    assert "veel geld" in rows.first.inner_text()
    visit(page, f"/beheer/rondes/{round_id}/gebieden")
    assert page.locator("text=Kern 01").count() == 0

    # The good file: all 50 kernen are listed, with their budgets.
    _import(page, _kernen_csv(token), post_status=303)
    assert "50 wijken en dorpen zijn geïmporteerd" in flash_text(page)
    table = page.locator("main table").first
    assert table.locator("tbody tr").count() == KERNEN
    assert "50 wijken" in table.locator("caption").inner_text()
    first = table.locator("tbody tr", has_text=f"Kern 01 {token}")
    assert "10.100,00" in first.inner_text()
    edit_href = first.locator("a", has_text="Wijzigen").get_attribute("href") or ""
    assert re.fullmatch(rf"/beheer/rondes/{round_id}/gebieden/\d+", edit_href), edit_href

    # Phase control: open the next phase now, with a reason, until voting.
    visit(page, f"/beheer/rondes/{round_id}/fasen")
    control = page.locator("form[action$='/fase-wisselen']")
    submit(page, control.locator("button[type=submit]"), status=422)  # no reason
    assert page.locator(".bb-phase--draft").count() == 1
    assert page.locator("#reason-error").count() == 1
    for phase in ("ideas", "review", "voting"):
        control = page.locator("form[action$='/fase-wisselen']")
        control.locator("textarea[name=reason]").fill(f"Raad heeft besloten eerder te beginnen ({phase}).")
        submit(page, control.locator("button[type=submit]"), post_status=303)
        assert page.locator(f".bb-phase--{phase}").count() == 1, phase
        assert "De ronde is nu in de fase" in flash_text(page)

    # Every phase change is in the audit log, with its reason.
    visit(page, "/beheer/audit")
    events = page.locator("main table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")
    changes = [e[5] for e in events if e[3] == "phase_changed" and e[4] == f"round:{round_id}"]
    assert len(changes) == 3
    assert all("Raad heeft besloten eerder te beginnen" in c for c in changes)

    # Voting has started: the budgets are shown as locked, without a form.
    visit(page, f"/beheer/rondes/{round_id}/gebieden")
    assert "Vastgezet." in page.locator(".bb-locked").inner_text()
    assert page.locator("form[action$='/gebieden/import']").count() == 0
    assert page.locator("main a", has_text="Wijzigen").count() == 0
    visit(page, edit_href)
    assert page.locator(".bb-locked").count() == 1
    assert page.locator("#budget").count() == 0
    assert "10.100,00" in page.locator(".bb-locked-list").inner_text()

    # A direct attempt to change the budget anyway is refused, with a message.
    token_value = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token_value
    response = page.request.post(edit_href, form={
        "csrf_token": token_value, "name": f"Kern 01 {token}", "kind": "kern", "budget": "999.999",
        "postcodes": "8001"})
    assert response.status == 422
    assert "Het stemmen is begonnen" in response.text()
    visit(page, f"/beheer/rondes/{round_id}/gebieden")
    row = page.locator("main table tbody tr", has_text=f"Kern 01 {token}")
    assert "10.100,00" in row.inner_text()
    assert "999.999" not in page.locator("main").inner_text()


def test_reviewer_marks_a_plan_feasible_with_a_changed_cost(new_page, restore_demo_accounts) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    login(page, REVIEWER)
    visit(page, "/beheer/toets")
    visit(page, f"/beheer/toets?ronde={REVIEW_ROUND}")
    waiting = page.locator("main table", has=page.get_by_text("Wachten op een oordeel", exact=True))
    assert waiting.count() == 1
    links = waiting.locator("tbody th a[href^='/beheer/toets/voorstellen/']")
    assert links.count() > 0
    link = links.last
    title = link.inner_text()
    href = link.get_attribute("href") or ""
    proposal_id = int(href.rsplit("/", 1)[1])
    follow(page, link)
    assert title in page.locator("h1").inner_text()
    before = page.locator("input[name=version]").input_value()

    # Not feasible without a public reason: a field error, nothing saved.
    page.locator("input[name=verdict][value=not_feasible]").check()
    page.locator("#public_reason").fill("")
    submit(page, submit_button(page), status=422)
    assert "Leg openbaar uit waarom" in page.locator(".bb-error-summary").inner_text()
    assert page.locator("input[name=version]").input_value() == before

    note = f"Interne notitie {secrets.token_hex(4)}: offerte van aannemer opvragen."
    reason = f"Haalbaar, maar de bestrating is duurder dan gedacht ({secrets.token_hex(3)})."
    page.locator("input[name=verdict][value=feasible]").check()
    page.locator("#cost").fill("17.345")
    page.locator("#public_reason").fill(reason)
    page.locator("#internal_note").fill(note)
    submit(page, submit_button(page), post_status=303)
    assert flash_text(page)
    assert "17.345,00" in page.locator("main dl").first.inner_text()

    # The public page, for anyone: the reviewed cost and status, the reason, never the note.
    public = new_page(js=False)
    visit(public, f"/voorstellen/{proposal_id}")
    assert public.locator(".bb-status--feasible").count() == 1
    facts = public.locator(".bb-facts").inner_text()
    assert "17.345,00" in facts
    outcome = public.locator(".bb-review-outcome").inner_text()
    assert "Haalbaar" in outcome and "17.345,00" in outcome and reason in outcome
    assert note not in public.content()
    switch_language(public, "en")
    outcome = public.locator(".bb-review-outcome").inner_text()
    assert "Feasible" in outcome and "17,345.00" in outcome and reason in outcome
    assert note not in public.content()
    check_axe(public)


def test_resident_reports_a_reaction_and_moderator_hides_it(new_page, restore_demo_accounts) -> None:  # type: ignore[no-untyped-def]
    text = f"Dit plan is onzin en de indiener ook ({secrets.token_hex(4)})."
    commenter = new_page()
    login(commenter, REVIEWER)
    visit(commenter, f"/rondes/{IDEAS_ROUND}/voorstellen")
    link = commenter.locator("main a[href^='/voorstellen/']").first
    follow(commenter, link)
    proposal_url = commenter.url
    assert re.search(r"/voorstellen/\d+$", proposal_url)
    commenter.locator("#comment-body-new").fill(text)
    submit(commenter, commenter.locator("#reacties form >> button[type=submit]").last, post_status=303)
    comment = commenter.locator("li.bb-comment", has_text=text)
    assert comment.count() == 1
    comment_id = int((comment.get_attribute("id") or "").removeprefix("reactie-"))

    # The resident reports it; first without a reason (a field error), then with one.
    resident = new_page()
    login(resident, RESIDENT)
    visit(resident, proposal_url)
    report = resident.locator(f"#reactie-{comment_id} a", has_text="Deze reactie melden")
    follow(resident, report)
    assert resident.url.endswith(f"/melden/comment/{comment_id}")
    assert text in resident.locator("blockquote").inner_text()
    submit(resident, submit_button(resident), status=422)
    assert resident.locator(".bb-error-summary").count() == 1
    resident.locator("input[name=reason][value=offensive]").check()
    resident.locator("#explanation").fill("Persoonlijke aanval op de indiener.")
    submit(resident, submit_button(resident), post_status=303)
    assert resident.url == proposal_url
    assert flash_text(resident)

    # The moderator (without JavaScript) hides it with a public reason.
    moderator = new_page(js=False)
    login(moderator, MODERATOR)
    visit(moderator, "/beheer/moderatie")
    item = moderator.locator("section.bb-card", has=moderator.locator(f"#item-comment-{comment_id}"))
    assert text in item.inner_text()
    assert "Persoonlijke aanval" in item.inner_text()
    submit(moderator, item.locator("form[action$='/verbergen'] button[type=submit]"), status=422)
    assert moderator.locator(f"#reason-comment-{comment_id}-error").count() == 1
    hide_reason = "Deze reactie valt een persoon aan."
    item = moderator.locator("section.bb-card", has=moderator.locator(f"#item-comment-{comment_id}"))
    item.locator("textarea[name=reason]").fill(hide_reason)
    submit(moderator, item.locator("form[action$='/verbergen'] button[type=submit]"), post_status=303)
    assert flash_text(moderator)

    # The proposal page shows a placeholder with the reason instead of the text.
    public = new_page()
    visit(public, proposal_url)
    hidden = public.locator(f"#reactie-{comment_id}")
    assert f"Verborgen door een moderator: {hide_reason}" in hidden.inner_text()
    assert text not in public.content()
    switch_language(public, "en")
    assert f"Hidden by a moderator: {hide_reason}" in public.locator(f"#reactie-{comment_id}").inner_text()
    assert text not in public.content()
