"""The resident's voting flow through the web: code → ballot → review → cast → receipt, and
every way it can go wrong (4xx with a clear message, nothing stored)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.voters import codes
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters.models import Participation, VotingCode
from tests.conftest import csrf_from
from tests.voting.conftest import in_round, make_voting_round
from tests.web.conftest import html, translated


def new_code(round_, district) -> str:  # type: ignore[no-untyped-def]
    [(plain, _row)] = voters.generate_codes(round_, district, 1, actor_id=None)
    db.session.commit()
    return codes.format_code(plain)


def start(client, round_, code: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/stemmen/{round_.slug}")
    assert page.status_code == 200
    return client.post(f"/stemmen/{round_.slug}", data={"code": code, "csrf_token": csrf_from(html(page))})


def ballot_token(client, round_) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/stemmen/{round_.slug}/stembiljet")
    assert page.status_code == 200, page.status_code
    return csrf_from(html(page))


def hidden_inputs(page_html: str) -> list[tuple[str, str]]:
    """The review page's hidden choices plus its CSRF token (what its buttons post)."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page_html)
    return [(n, v) for n, v in found if n != "next"] + [("csrf_token", csrf_from(page_html))]


def nothing_stored(round_) -> bool:  # type: ignore[no-untyped-def]
    return in_round(Ballot, round_) == 0 and in_round(Participation, round_) == 0


def test_full_flow_approval(app, client):
    round_, district, proposals, _ = make_voting_round()
    code = new_code(round_, district)
    entered = start(client, round_, code.lower())  # small letters are fine
    assert entered.status_code == 303 and entered.headers["Location"].endswith("/stembiljet")
    token = ballot_token(client, round_)
    page = html(client.get(f"/stemmen/{round_.slug}/stembiljet"))
    assert proposals[0].title in page and 'name="choice"' in page
    review = client.post(f"/stemmen/{round_.slug}/stembiljet",
                         data={"choice": [str(proposals[0].id), str(proposals[2].id)], "csrf_token": token})
    assert review.status_code == 200
    hidden = hidden_inputs(html(review))
    assert ("choice", str(proposals[0].id)) in hidden and ("choice", str(proposals[2].id)) in hidden
    assert nothing_stored(round_)
    # "Change" brings the choices back, ticked.
    back = client.post(f"/stemmen/{round_.slug}/stembiljet", data={**_multi(hidden), "change": "1"})
    assert back.status_code == 200
    assert re.search(rf'value="{proposals[0].id}" id="choice-{proposals[0].id}" checked', html(back))
    cast = client.post(f"/stemmen/{round_.slug}/uitbrengen", data=_multi(hidden))
    assert cast.status_code == 303 and cast.headers["Location"].endswith("/bewijs")
    receipt_page = client.get(f"/stemmen/{round_.slug}/bewijs")
    match = re.search(r'id="receipt">([A-Z0-9-]+)<', html(receipt_page))
    assert match, "receipt shown"
    assert in_round(Ballot, round_) == 1
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).one()
    assert {c.proposal_id for c in ballot.choices} == {proposals[0].id, proposals[2].id}
    # Shown once only.
    assert 'id="receipt"' not in html(client.get(f"/stemmen/{round_.slug}/bewijs"))
    # The session no longer holds a voter: the ballot page asks for a code again.
    assert client.get(f"/stemmen/{round_.slug}/stembiljet").status_code == 303


def _multi(pairs):  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


@pytest.mark.parametrize(("mangle", "reason_text"), [
    (lambda c: c[:-1] + ("A" if c[-1] != "A" else "C"),
     "This code contains a typing error. Check the code and try again."),
    (lambda c: c[:5], "A voting code has 13 letters and digits, like XXXX-XXXX-XXXX-X. Check the code."),
    (lambda c: "0" + c[1:], "This code contains a character that does not appear in voting codes. Check the code."),
])
def test_typo_codes_get_check_the_code(app, client, mangle, reason_text):
    round_, district, _p, _ = make_voting_round()
    code = new_code(round_, district)
    response = start(client, round_, mangle(code))
    assert response.status_code == 422
    assert translated(app, reason_text, "nl") in html(response)
    assert 'autocomplete="off"' in html(response) and "XXXX-XXXX-XXXX-X" in html(response)


def test_unknown_used_revoked_and_other_round_codes(app, client):
    round_, district, proposals, _ = make_voting_round()
    other_round, other_district, _pp, _ = make_voting_round()
    body = "ACDEFGHJKMNP"
    unknown = codes.format_code(body + codes.check_character(body))
    response = start(client, round_, unknown)
    assert response.status_code == 422
    assert translated(app, "We do not know this code. Check the code in your letter.", "nl") in html(response)

    assert start(client, round_, new_code(other_round, other_district)).status_code == 422

    used = new_code(round_, district)
    assert start(client, round_, used).status_code == 303
    token = ballot_token(client, round_)
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen",
                       data={"choice": str(proposals[0].id), "csrf_token": token}).status_code == 303
    again = start(client, round_, used)
    assert again.status_code == 422
    assert translated(app, "This code has been used already. Each code can vote once.", "nl") in html(again)

    lost = new_code(round_, district)
    row = voters.code_by_typed(round_, lost)
    voters.revoke_and_reissue(row, actor_id=None)
    db.session.commit()
    assert start(client, round_, lost).status_code == 422


def test_casting_twice_in_two_tabs_is_a_clear_409(app, client):
    round_, district, proposals, _ = make_voting_round()
    assert start(client, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(client, round_)
    data = {"choice": str(proposals[0].id), "csrf_token": token}
    # Tab two keeps the old session cookie.
    cookie = client.get_cookie("session").value
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen", data=data).status_code == 303
    client.set_cookie("session", cookie)
    second = client.post(f"/stemmen/{round_.slug}/uitbrengen", data=data)
    assert second.status_code == 409
    assert translated(app, "You have voted already", "nl") in html(second)
    assert in_round(Ballot, round_) == 1 and in_round(Participation, round_) == 1


def test_ballot_needs_a_code_first(app, client):
    round_, _d, _p, _ = make_voting_round()
    response = client.get(f"/stemmen/{round_.slug}/stembiljet")
    assert response.status_code == 303 and response.headers["Location"] == f"/stemmen/{round_.slug}"


@pytest.mark.parametrize("tamper", ["unknown", "other_district", "too_many", "garbage", "huge"])
def test_tampered_approval_forms_are_refused(app, client, tamper):
    round_, district, proposals, elsewhere = make_voting_round(max_choices=2)
    assert start(client, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(client, round_)
    choice = {
        "unknown": ["999999"],
        "other_district": [str(elsewhere.id)],
        "too_many": [str(p.id) for p in proposals[:3]],
        "garbage": ["<script>", str(proposals[0].id)],
        "huge": [str(proposals[0].id)] + ["1" * 12] * 600,
    }[tamper]
    for url in (f"/stemmen/{round_.slug}/stembiljet", f"/stemmen/{round_.slug}/uitbrengen"):
        response = client.post(url, data={"choice": choice, "csrf_token": token})
        assert response.status_code in (413, 422), (tamper, response.status_code)
        assert "<h1" in html(response)
        if response.status_code == 422:
            assert "bb-error-summary" in html(response)
    assert nothing_stored(round_)
    assert db.session.scalars(sa.select(VotingCode).where(VotingCode.round_id == round_.id)).one().state == "active"


def test_knapsack_over_budget_shows_what_is_left_and_keeps_choices(app, client):
    round_, district, proposals, _ = make_voting_round("knapsack", min_choices=0, max_choices=None,
                                                       budget_cents=50_000_00)
    assert start(client, round_, new_code(round_, district)).status_code == 303
    page = client.get(f"/stemmen/{round_.slug}/stembiljet")
    assert "<meter" in html(page) and 'hx-post="/stemmen/' in html(page)
    token = csrf_from(html(page))
    chosen = [str(proposals[1].id), str(proposals[2].id)]  # 25.000 + 40.000 > 50.000
    response = client.post(f"/stemmen/{round_.slug}/stembiljet", data={"choice": chosen, "csrf_token": token})
    assert response.status_code == 422
    text = html(response)
    assert "15.000" in text  # over by € 15.000
    assert all(re.search(rf'value="{pid}" id="choice-{pid}" checked', text) for pid in chosen)
    # The live budget bar (htmx) for a choice that fits.
    bar = client.post(f"/stemmen/{round_.slug}/budget", data={"choice": [str(proposals[0].id)], "csrf_token": token},
                      headers={"HX-Request": "true"})
    assert bar.status_code == 200 and 'id="budget"' in html(bar) and "<html" not in html(bar)
    assert "40.000" in html(bar)  # € 40.000 of € 50.000 left
    assert nothing_stored(round_)


def test_cumulative_negative_and_too_many_points(app, client):
    round_, district, proposals, _ = make_voting_round("cumulative", min_choices=0, max_choices=None,
                                                       points_total=5)
    assert start(client, round_, new_code(round_, district)).status_code == 303
    token = ballot_token(client, round_)
    url = f"/stemmen/{round_.slug}/stembiljet"
    negative = client.post(url, data={f"points-{proposals[0].id}": "-3", f"points-{proposals[1].id}": "2",
                                      "csrf_token": token})
    assert negative.status_code == 422
    assert f'id="points-{proposals[0].id}-error"' in html(negative)
    assert 'value="-3"' in html(negative)  # what was typed is kept
    many = client.post(url, data={f"points-{proposals[0].id}": "4", f"points-{proposals[1].id}": "2",
                                  "csrf_token": token})
    assert many.status_code == 422
    ok = client.post(url, data={f"points-{proposals[0].id}": "3", f"points-{proposals[1].id}": "2",
                                "csrf_token": token})
    assert ok.status_code == 200
    assert (f"points-{proposals[0].id}", "3") in hidden_inputs(html(ok))
    assert client.post(f"/stemmen/{round_.slug}/uitbrengen", data=_multi(hidden_inputs(html(ok)))).status_code == 303
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).one()
    assert {c.proposal_id: c.value for c in ballot.choices} == {proposals[0].id: 3, proposals[1].id: 2}


def test_ranking_duplicate_ranks_and_a_valid_order(app, client):
    round_, district, proposals, _ = make_voting_round("ranking", min_choices=1, max_choices=3)
    assert start(client, round_, new_code(round_, district)).status_code == 303
    page = client.get(f"/stemmen/{round_.slug}/stembiljet")
    assert f'<select class="utrecht-select utrecht-select--html-select" name="rank-{proposals[0].id}"' in html(page)
    token = csrf_from(html(page))
    url = f"/stemmen/{round_.slug}/uitbrengen"
    duplicate = client.post(url, data={f"rank-{proposals[0].id}": "1", f"rank-{proposals[1].id}": "1",
                                       "csrf_token": token})
    assert duplicate.status_code == 422 and nothing_stored(round_)
    out_of_range = client.post(url, data={f"rank-{proposals[0].id}": "9", "csrf_token": token})
    assert out_of_range.status_code == 422 and nothing_stored(round_)
    ok = client.post(url, data={f"rank-{proposals[2].id}": "1", f"rank-{proposals[0].id}": "2",
                                "csrf_token": token})
    assert ok.status_code == 303
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).one()
    assert {c.proposal_id: c.value for c in ballot.choices} == {proposals[2].id: 1, proposals[0].id: 2}


def test_csrf_token_of_another_session_is_refused(app, client):
    round_, district, proposals, _ = make_voting_round()
    other = app.test_client()
    foreign = csrf_from(html(other.get(f"/stemmen/{round_.slug}")))
    assert start(client, round_, new_code(round_, district)).status_code == 303
    response = client.post(f"/stemmen/{round_.slug}/uitbrengen",
                           data={"choice": str(proposals[0].id), "csrf_token": foreign})
    assert response.status_code == 400 and "<h1" in html(response)
    assert nothing_stored(round_)


def test_closed_round_and_unknown_round(app, client):
    assert client.get("/stemmen/bestaat-niet").status_code == 404
    now = utcnow()
    future = Round(slug="later", name="Later", ballot_type="approval")
    day = dt.timedelta(days=1)
    future.phases = [RoundPhase(phase="ideas", starts_at=now - day, ends_at=now + day),
                     RoundPhase(phase="voting", starts_at=now + 2 * day, ends_at=now + 3 * day)]
    future.districts = [District(name="Overal", kind="gemeente", budget_cents=1000_00)]
    db.session.add(future)
    db.session.commit()
    response = client.get("/stemmen/later")
    assert response.status_code == 403
    assert translated(app, "Voting is not open", "nl") in html(response)
    assert client.post("/stemmen/later", data={"code": "X", "csrf_token": csrf_from(html(response))}).status_code == 403
    assert client.get("/stemmen/later/stembiljet").status_code == 403


def test_choose_round_redirects_with_the_code_from_the_letter(app, client):
    round_, district, _p, _ = make_voting_round()
    code = new_code(round_, district)
    response = client.get(f"/stemmen?code={code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/stemmen/{round_.slug}?code={code}"
    page = client.get(f"/stemmen/{round_.slug}?code={code}")
    assert f'value="{code}"' in html(page)


def test_no_voting_round_explains(app, client):
    response = client.get("/stemmen")
    assert response.status_code == 200
    assert translated(app, "There is no vote at the moment. On the home page you see all rounds and when you can "
                      "vote.", "nl") in html(response)


def test_english_pages(app, client):
    from tests.web.conftest import set_language

    round_, district, _p, _ = make_voting_round()
    set_language(client, "en")
    page = client.get(f"/stemmen/{round_.slug}")
    assert "Your voting code" in html(page)
    assert start(client, round_, new_code(round_, district)).status_code == 303
    assert "Check my choice" in html(client.get(f"/stemmen/{round_.slug}/stembiljet"))
