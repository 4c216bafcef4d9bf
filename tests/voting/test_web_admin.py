"""Admins: voting-code letters (PDF), register upload, lost letters, counts; paper ballots
with double entry."""

from __future__ import annotations

import io

import sqlalchemy as sa

from burgerbegroting.ballots.models import Ballot, PaperEntry
from burgerbegroting.extensions import db
from burgerbegroting.voters import codes
from burgerbegroting.voters import operations as voters
from burgerbegroting.voters.letters import pdf_page_count
from burgerbegroting.voters.models import Participation, RegisterEntry, VotingCode
from tests.conftest import csrf_from, login, make_user
from tests.voting.conftest import in_round, make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start
from tests.web.conftest import html, translated


def admin_client(app, email: str = "beheer@example.org"):  # type: ignore[no-untyped-def]
    make_user(email, roles=("admin",))
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def test_generate_letters_pdf_one_page_per_code(app):
    round_, district, _p, _ = make_voting_round()
    client = admin_client(app)
    page = client.get(f"/beheer/rondes/{round_.id}/stemcodes")
    assert page.status_code == 200
    assert translated(app, "The letters are downloaded as a PDF straight away. Save or print them now: the codes "
                      "are not stored and cannot be shown again.", "nl") in html(page)
    response = client.post(f"/beheer/rondes/{round_.id}/stemcodes/maken",
                           data={"district": str(district.id), "count": "3", "csrf_token": csrf_from(html(page))})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and pdf_page_count(response.data) == 3
    assert in_round(VotingCode, round_) == 3
    # Only HMACs are stored; the PDF's text is compressed, so the codes cannot be grepped here,
    # but no row holds anything that looks like a code.
    for row in db.session.scalars(sa.select(VotingCode).where(VotingCode.round_id == round_.id)):
        assert len(row.code_hmac) == 64
    bad = client.post(f"/beheer/rondes/{round_.id}/stemcodes/maken",
                      data={"district": str(district.id), "count": "0", "csrf_token": csrf_from(html(page))})
    assert bad.status_code == 422 and in_round(VotingCode, round_) == 3
    counts = html(client.get(f"/beheer/rondes/{round_.id}/stemcodes"))
    assert ">3</td>" in counts


def test_register_upload_all_or_nothing(app):
    round_, district, _p, _ = make_voting_round()
    client = admin_client(app)
    token = csrf_from(html(client.get(f"/beheer/rondes/{round_.id}/stemcodes")))
    url = f"/beheer/rondes/{round_.id}/stemcodes/register"
    bad_csv = "name;street;postcode;city\nA. Jansen;Kerkstraat 1;9999AA;Dorp\nB. Bakker;;12;Dorp\nC;Weg 2;1000AA;X\n"
    response = client.post(url, data={"district": str(district.id), "csrf_token": token,
                                      "file": (io.BytesIO(bad_csv.encode()), "register.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert translated(app, "The street is empty.", "nl") in html(response)
    assert translated(app, "The postcode %(detail)s is not in this district.", "nl", detail="1000AA") in html(response)
    assert in_round(RegisterEntry, round_) == 0 and in_round(VotingCode, round_) == 0
    good_csv = "naam,straat,postcode,woonplaats\nA. Jansen,Kerkstraat 1,9999 AA,Dorp\nB. Bakker,Weg 2,9999AB,Dorp\n"
    response = client.post(url, data={"district": str(district.id), "csrf_token": token,
                                      "file": (io.BytesIO(good_csv.encode()), "register.csv")},
                           content_type="multipart/form-data")
    # A background job makes the letters (inline here: no queue); the PDF is on its page.
    assert response.status_code == 303 and "/beheer/taken/" in response.location
    pdf = client.get(f"{response.location}/bestand")
    assert pdf.status_code == 200 and pdf_page_count(pdf.data) == 2
    assert in_round(RegisterEntry, round_) == 2 and in_round(VotingCode, round_) == 2
    # A lost letter, found by name: the old code stops working.
    found = client.get(f"/beheer/rondes/{round_.id}/stemcodes?q=Bakker")
    assert "B. Bakker" in html(found) and "A. Jansen" not in html(found)
    entry = db.session.scalars(sa.select(RegisterEntry).where(RegisterEntry.name == "B. Bakker")).one()
    old = db.session.scalars(sa.select(VotingCode).where(VotingCode.register_entry_id == entry.id)).one()
    again = client.post(f"/beheer/rondes/{round_.id}/stemcodes/vervangen",
                        data={"entry": str(entry.id), "csrf_token": token})
    assert again.status_code == 200 and pdf_page_count(again.data) == 1
    db.session.expire_all()
    assert db.session.get(VotingCode, old.id).state == "revoked"
    assert in_round(VotingCode, round_) == 3


def test_reissue_by_code_and_refusals(app):
    round_, district, proposals, _ = make_voting_round()
    admin = admin_client(app)
    token = csrf_from(html(admin.get(f"/beheer/rondes/{round_.id}/stemcodes")))
    url = f"/beheer/rondes/{round_.id}/stemcodes/vervangen"
    lost = new_code(round_, district)
    response = admin.post(url, data={"code": lost, "csrf_token": token})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert admin.post(url, data={"code": lost, "csrf_token": token}).status_code == 422  # replaced already
    assert admin.post(url, data={"code": "", "csrf_token": token}).status_code == 422
    used = new_code(round_, district)
    resident = app.test_client()
    assert start(resident, round_, used).status_code == 303
    assert resident.post(f"/stemmen/{round_.slug}/uitbrengen",
                         data={"choice": str(proposals[0].id),
                               "csrf_token": ballot_token(resident, round_)}).status_code == 303
    refused = admin.post(url, data={"code": used, "csrf_token": token})
    assert refused.status_code == 422
    assert translated(app, "This code has been used: this person has voted. A new letter cannot be made.",
                      "nl") in html(refused)


def test_residents_and_reviewers_cannot_make_codes(app):
    round_, _district, _p, _ = make_voting_round()
    make_user("toets@example.org", roles=("reviewer",))
    client = app.test_client()
    login(client, "toets@example.org")
    assert client.get(f"/beheer/rondes/{round_.id}/stemcodes").status_code == 403
    assert client.get(f"/beheer/rondes/{round_.id}/papier").status_code == 403
    assert app.test_client().get(f"/beheer/rondes/{round_.id}/stemcodes").status_code == 302


# Paper ballots ------------------------------------------------------------------------------------

def enter(client, round_, district, code: str, choices: list[int], invalid: bool = False):  # type: ignore[no-untyped-def]
    url = f"/beheer/rondes/{round_.id}/papier/{district.id}"
    token = csrf_from(html(client.get(url)))
    data: dict = {"code": code, "choice": [str(c) for c in choices], "csrf_token": token}
    if invalid:
        data["invalid"] = "y"
    return client.post(url, data=data)


def test_paper_double_entry_equal_entries_cast_and_delete(app):
    round_, district, proposals, _ = make_voting_round()
    first, second = admin_client(app, "een@example.org"), admin_client(app, "twee@example.org")
    code = new_code(round_, district)
    assert enter(first, round_, district, code, [proposals[0].id]).status_code == 303
    assert in_round(PaperEntry, round_) == 1 and in_round(Ballot, round_) == 0
    same_person = enter(first, round_, district, code, [proposals[0].id])
    assert same_person.status_code == 409
    assert translated(app, "You entered this paper already. A colleague must enter it the second time.",
                      "nl") in html(same_person)
    assert enter(second, round_, district, code, [proposals[0].id]).status_code == 303
    assert in_round(PaperEntry, round_) == 0 and in_round(Ballot, round_) == 1
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).one()
    assert ballot.channel == "paper" and ballot.receipt_hmac is None
    # The code is spent: it cannot vote online any more.
    resident = app.test_client()
    assert start(resident, round_, code).status_code == 422


def test_paper_mismatch_resolved_by_a_third_colleague(app):
    round_, district, proposals, _ = make_voting_round()
    a, b, c = (admin_client(app, f"{n}@example.org") for n in ("a", "b", "c"))
    code = new_code(round_, district)
    assert enter(a, round_, district, code, [proposals[0].id]).status_code == 303
    assert enter(b, round_, district, code, [proposals[1].id]).status_code == 303
    flags = db.session.scalars(sa.select(PaperEntry.mismatch).where(PaperEntry.round_id == round_.id)).all()
    assert flags == [True, True]
    index = html(c.get(f"/beheer/rondes/{round_.id}/papier"))
    assert ">1</td>" in index  # one mismatch waiting
    assert enter(a, round_, district, code, [proposals[1].id]).status_code == 409  # not a third person
    assert enter(c, round_, district, code, [proposals[2].id]).status_code == 422  # matches neither
    assert in_round(PaperEntry, round_) == 2 and in_round(Ballot, round_) == 0
    assert enter(c, round_, district, code, [proposals[1].id]).status_code == 303
    assert in_round(PaperEntry, round_) == 0
    ballot = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).one()
    assert [ch.proposal_id for ch in ballot.choices] == [proposals[1].id]


def test_paper_after_online_vote_is_invalid_and_nothing_stored(app):
    round_, district, proposals, _ = make_voting_round()
    code = new_code(round_, district)
    resident = app.test_client()
    assert start(resident, round_, code).status_code == 303
    assert resident.post(f"/stemmen/{round_.slug}/uitbrengen",
                         data={"choice": str(proposals[0].id),
                               "csrf_token": ballot_token(resident, round_)}).status_code == 303
    admin = admin_client(app)
    response = enter(admin, round_, district, code, [proposals[1].id])
    assert response.status_code == 409
    assert translated(app, "This code voted online. The paper ballot is invalid; put it aside. Nothing was stored.",
                      "nl") in html(response)
    assert in_round(PaperEntry, round_) == 0 and in_round(Ballot, round_) == 1


def test_invalid_paper_spends_the_code_without_a_ballot(app):
    round_, district, proposals, _ = make_voting_round(max_choices=1)
    a, b = admin_client(app, "a@example.org"), admin_client(app, "b@example.org")
    code = new_code(round_, district)
    too_many = enter(a, round_, district, code, [proposals[0].id, proposals[1].id])
    assert too_many.status_code == 422 and in_round(PaperEntry, round_) == 0  # not a valid ballot: say it is invalid
    assert enter(a, round_, district, code, [proposals[0].id, proposals[1].id], invalid=True).status_code == 303
    assert enter(b, round_, district, code, [], invalid=True).status_code == 303
    assert in_round(Ballot, round_) == 0 and in_round(PaperEntry, round_) == 0 and in_round(Participation, round_) == 1
    assert voters.code_by_typed(round_, code).state == "used"


def test_paper_other_district_and_unknown_code(app):
    round_, district, proposals, elsewhere = make_voting_round()
    admin = admin_client(app)
    code = new_code(round_, district)
    other = elsewhere.district
    assert enter(admin, round_, other, code, [elsewhere.id]).status_code == 422
    body = "ACDEFGHJKMNP"
    assert enter(admin, round_, district, codes.format_code(body + codes.check_character(body)),
                 [proposals[0].id]).status_code == 422
    assert in_round(PaperEntry, round_) == 0
