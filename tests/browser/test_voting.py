"""Voting in a real browser, with and without JavaScript, in Dutch and English, every page
checked with axe: each ballot type, a wrong, typo'd and used code, a knapsack over budget, and
a paper ballot entered twice with a mismatch."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page

from tests.browser.support import login, submit, switch_language, visit

_n = itertools.count()


@pytest.fixture
def voting(live_server):  # type: ignore[no-untyped-def]
    """make(ballot_type, **settings) → (slug, district name, proposal ids, [codes], round id, district id)."""
    from burgerbegroting.extensions import db
    from burgerbegroting.voters import codes
    from burgerbegroting.voters import operations as voters
    from tests.voting.conftest import make_voting_round

    def make(ballot_type: str, n_codes: int = 2, **settings):  # type: ignore[no-untyped-def]
        with live_server.app.app_context():
            round_, district, proposals, _ = make_voting_round(ballot_type, **settings)
            made = voters.generate_codes(round_, district, n_codes, actor_id=None)
            db.session.commit()
            return (round_.slug, district.name, [p.id for p in proposals],
                    [codes.format_code(plain) for plain, _row in made], round_.id, district.id)

    return make


def _enter_code(page: Page, slug: str, code: str, *, status: int = 200, lang: str = "nl") -> None:
    page.locator("#code").fill(code)
    submit(page, page.locator("#main button[type=submit]"), status=status, lang=lang)


def _cast(page: Page, lang: str = "nl") -> str:
    submit(page, page.locator("#main button[name=review]"), lang=lang)
    submit(page, page.locator("#main form button[type=submit]").first, lang=lang)
    return page.locator("#receipt").inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("ballot_type", ["approval", "knapsack", "cumulative", "ranking"])
def test_vote_with_each_ballot_type(new_page, voting, ballot_type: str, js: bool) -> None:  # type: ignore[no-untyped-def]
    settings = {"cumulative": {"points_total": 5, "min_choices": 0, "max_choices": None},
                "knapsack": {"min_choices": 0, "max_choices": None, "budget_cents": 50_000_00}}.get(ballot_type, {})
    slug, _district, ids, codes, _r, _d = voting(ballot_type, **settings)
    page = new_page(js=js, viewport={"width": 375, "height": 740})
    lang = "en" if ballot_type in ("cumulative", "ranking") else "nl"
    visit(page, f"/stemmen/{slug}")
    if lang == "en":
        switch_language(page, "en")
    _enter_code(page, slug, codes[0][:-1] + ("A" if codes[0][-1] != "A" else "C"), status=422, lang=lang)  # typo
    _enter_code(page, slug, "ACDE-FGHJ-KMNP-Q", status=422, lang=lang)  # unknown (or typo) code
    _enter_code(page, slug, codes[0], lang=lang)
    if ballot_type == "approval":
        page.locator(f"#choice-{ids[0]}").check()
        page.locator(f"#choice-{ids[1]}").check()
    elif ballot_type == "knapsack":
        page.locator(f"#choice-{ids[1]}").check()
        page.locator(f"#choice-{ids[2]}").check()  # 25.000 + 40.000 > 50.000
        if js:
            page.locator("#budget-text.bb-budget__text--over").wait_for()
        submit(page, page.locator("#main button[name=review]"), status=422, lang=lang)
        assert page.locator(".bb-error-summary").count() == 1
        page.locator(f"#choice-{ids[2]}").uncheck()
        if js:
            page.locator("#budget-text:not(.bb-budget__text--over)").wait_for()
    elif ballot_type == "cumulative":
        page.locator(f"#points-{ids[0]}").fill("3")
        page.locator(f"#points-{ids[1]}").fill("2")
    else:
        page.locator(f"#rank-{ids[2]}").select_option("1")
        page.locator(f"#rank-{ids[0]}").select_option("2")
    receipt = _cast(page, lang=lang)
    assert len(receipt.replace("-", "")) == 10
    # The same code again: used.
    visit(page, f"/stemmen/{slug}", lang=lang)
    _enter_code(page, slug, codes[0], status=422, lang=lang)


def test_paper_double_entry_with_a_mismatch(new_page, voting, live_server) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.auth.models import User, UserRole
    from burgerbegroting.auth.passwords import hash_password
    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.extensions import db

    slug, _district, ids, codes, round_id, district_id = voting("approval")
    emails = [f"papier{next(_n)}-{i}@example.org" for i in range(3)]
    with live_server.app.app_context():
        for email in emails:
            user = User(email=email, name="Telling", password_hash=hash_password("demo-wachtwoord"),
                        email_confirmed_at=utcnow())
            user.roles.append(UserRole(role="admin"))
            db.session.add(user)
        db.session.commit()
    url = f"/beheer/rondes/{round_id}/papier/{district_id}"
    # First two colleagues disagree; the third agrees with the second.
    for email, pid in zip(emails, [ids[0], ids[1], ids[1]], strict=True):
        page = new_page(js=False)
        login(page, email)
        visit(page, url)
        page.locator("#code").fill(codes[0])
        page.locator(f"#choice-{pid}").check()
        submit(page, page.locator("#main button[type=submit]"))
        assert page.locator(".utrecht-alert--ok").count() == 1
    visit(page, f"/beheer/rondes/{round_id}/papier")
    # The code is spent: voting online with it is refused.
    resident = new_page()
    visit(resident, f"/stemmen/{slug}")
    _enter_code(resident, slug, codes[0], status=422)
