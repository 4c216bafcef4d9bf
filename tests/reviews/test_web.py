"""The review pages through the test client (CSRF on)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template_string
from sqlalchemy.orm.exc import StaleDataError

from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.models import Review
from tests.conftest import count, login, make_user
from tests.reviews.helpers import make_proposal, make_round, support
from tests.web.conftest import html, post, token


@pytest.fixture
def reviewer(app, client):  # type: ignore[no-untyped-def]
    user = make_user("toets@example.org", ("reviewer",), name="Rita Reviewer")
    assert login(client, "toets@example.org").status_code == 303
    return user


def _form(version_: int, **fields: str) -> dict[str, str]:
    data = {"verdict": "feasible", "cost": "5.000", "public_reason": "", "internal_note": "", "version": str(version_)}
    data.update(fields)
    return data


def test_queue_lists_waiting_and_reviewed_per_district(client, reviewer):
    round_ = make_round()
    north, south = round_.districts
    waiting = make_proposal(round_, district=north, title="Speeltuin <Noord>")
    make_proposal(round_, district=south, title="Fietspad Zuid")
    done = make_proposal(round_, district=north, status="not_feasible", title="Zwembad")
    make_proposal(round_, district=north, status="draft", title="Concept")
    page = html(client.get(f"/beheer/toets?ronde={round_.slug}&wijk={north.id}"))
    assert "Speeltuin &lt;Noord&gt;" in page and "Fietspad Zuid" not in page
    assert page.index("Speeltuin") < page.index("Zwembad")  # waiting first, reviewed after
    assert "Concept" not in page
    assert f"/beheer/toets/voorstellen/{waiting.id}" in page and f"/beheer/toets/voorstellen/{done.id}" in page
    everything = html(client.get(f"/beheer/toets?ronde={round_.slug}"))
    assert "Fietspad Zuid" in everything
    assert client.get(f"/beheer/toets?ronde={round_.slug}&wijk=999999").status_code == 404
    assert client.get("/beheer/toets?ronde=bestaat-niet").status_code == 404


@pytest.mark.parametrize("roles", [("resident",), ("moderator",), ("council",)])
def test_queue_refused_to_other_roles(client, roles):
    make_user("x@example.org", roles)
    login(client, "x@example.org")
    assert client.get("/beheer/toets").status_code == 403


def test_queue_sends_anonymous_visitors_away(client):
    response = client.get("/beheer/toets")
    assert response.status_code in (302, 403)


def test_reviewer_saves_feasible_with_changes(app, client, reviewer):
    proposal = make_proposal(make_round())
    page = html(client.get(f"/beheer/toets/voorstellen/{proposal.id}"))
    assert f'value="{proposal.version}"' in page
    response = post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(
        proposal.version, verdict="feasible_with_changes", cost="7.250,50", public_reason="Met extra verlichting.",
        internal_note="GEHEIM-intern"))
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == "feasible" and proposal.reviewed_cost_cents == 725_050
    review_page = html(client.get(f"/beheer/toets/voorstellen/{proposal.id}"))
    assert "GEHEIM-intern" in review_page  # staff see the note
    with app.test_request_context():
        public = render_template_string('{% include "reviews/_public.html" %}', proposal=proposal)
    assert "Met extra verlichting." in public and "GEHEIM-intern" not in public


def test_public_proposal_page_does_not_show_the_internal_note(client, reviewer, app):
    proposal = make_proposal(make_round())
    ops.save_review(proposal, reviewer.id, ops.Verdict("not_feasible", 100, "Past niet.", "GEHEIM-intern"),
                    proposal.version)
    db.session.commit()
    response = client.get(f"/voorstellen/{proposal.id}")
    if "proposals.detail" in app.view_functions:
        assert response.status_code == 200
    assert "GEHEIM-intern" not in html(response)


@pytest.mark.parametrize("fields, field", [
    ({"verdict": ""}, "verdict"),
    ({"verdict": "misschien"}, "verdict"),
    ({"cost": "abc"}, "cost"),
    ({"cost": "0"}, "cost"),
    ({"cost": "-5"}, "cost"),
    ({"cost": "999.999.999.999"}, "cost"),
    ({"verdict": "not_feasible", "public_reason": "  "}, "public_reason"),
    ({"verdict": "feasible_with_changes", "public_reason": ""}, "public_reason"),
    ({"version": "abc"}, "version"),
    ({"version": ""}, "version"),
])
def test_bad_input_is_a_field_error_and_stores_nothing(client, reviewer, fields, field):
    proposal = make_proposal(make_round())
    response = post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version, **fields))
    assert response.status_code == 422
    assert f'id="{field}-error"' in html(response) or f'href="#{field}"' in html(response)
    assert count(Review) == 0
    db.session.expire_all()
    assert proposal.status == "published"


def test_stale_version_gives_409_with_the_other_verdict(client, reviewer):
    other = make_user("ander@example.org", ("reviewer",), name="Otto Ander")
    proposal = make_proposal(make_round())
    seen = proposal.version
    ops.save_review(proposal, other.id, ops.Verdict("not_feasible", 500_000, "Geen plek voor."), seen)
    db.session.commit()
    response = post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(seen, verdict="feasible"))
    assert response.status_code == 409
    page = html(response)
    assert "Geen plek voor." in page and "Otto Ander" in page
    assert f'value="{proposal.version}"' in page  # saving again is now possible, deliberately
    db.session.expire_all()
    assert proposal.status == "not_feasible"
    assert db.session.scalar(sa.select(Review.reviewer_id)) == other.id


def test_concurrent_save_stale_data_error_gives_409(client, reviewer, monkeypatch):
    proposal = make_proposal(make_round())

    def racing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise StaleDataError("UPDATE statement on table 'proposal' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(ops, "save_review", racing)
    response = post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version))
    assert response.status_code == 409
    assert count(Review) == 0


def test_review_outside_review_phase_is_403(client, reviewer):
    proposal = make_proposal(make_round(Phase.IDEAS))
    assert client.get(f"/beheer/toets/voorstellen/{proposal.id}").status_code == 200
    assert post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version)).status_code == 403
    assert count(Review) == 0


@pytest.mark.parametrize("roles", [("admin",), ("resident",), ("moderator",)])
def test_only_reviewers_give_verdicts(client, roles):
    make_user("x@example.org", roles)
    login(client, "x@example.org")
    proposal = make_proposal(make_round())
    assert post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version)).status_code == 403
    assert count(Review) == 0


def test_unknown_or_draft_proposal_is_404(client, reviewer):
    draft = make_proposal(make_round(), status="draft")
    assert client.get("/beheer/toets/voorstellen/999999").status_code == 404
    assert client.get(f"/beheer/toets/voorstellen/{draft.id}").status_code == 404
    assert post(client, "/beheer/toets/voorstellen/999999", _form(1)).status_code == 404


def test_post_without_csrf_is_refused(client, reviewer):
    proposal = make_proposal(make_round())
    response = client.post(f"/beheer/toets/voorstellen/{proposal.id}", data=_form(proposal.version))
    assert response.status_code == 400
    assert count(Review) == 0


def test_four_eyes_same_reviewer_is_refused_with_a_message(client, reviewer):
    proposal = make_proposal(make_round(four_eyes=True))
    assert post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version)).status_code == 303
    db.session.expire_all()
    assert proposal.status == "in_review"
    response = post(client, f"/beheer/toets/voorstellen/{proposal.id}", _form(proposal.version))
    assert response.status_code == 422
    assert "four-eyes" in html(response) or "vier-ogen" in html(response).lower()
    assert count(Review) == 1


def test_merge_through_the_page(client, reviewer):
    round_ = make_round()
    original = make_proposal(round_, title="Origineel")
    duplicate = make_proposal(round_, title="Dubbel")
    elsewhere = make_proposal(round_, district=round_.districts[1], title="Elders")
    page = html(client.get(f"/beheer/toets/voorstellen/{duplicate.id}"))
    assert "Origineel" in page and "Elders" not in page.split("samenvoegen")[-1]
    bad = post(client, f"/beheer/toets/voorstellen/{duplicate.id}/samenvoegen", {"original": str(elsewhere.id)})
    assert bad.status_code == 422
    assert post(client, f"/beheer/toets/voorstellen/{duplicate.id}/samenvoegen", {"original": "abc"}).status_code == 422
    ok = post(client, f"/beheer/toets/voorstellen/{duplicate.id}/samenvoegen", {"original": str(original.id)})
    assert ok.status_code == 303
    db.session.expire_all()
    assert duplicate.status == "merged" and duplicate.duplicate_of_id == original.id


def test_close_ideas_from_the_queue(client, reviewer):
    round_ = make_round(Phase.REVIEW, min_supporters=1)
    lonely = make_proposal(round_)
    liked = make_proposal(round_)
    support(liked, reviewer.id)
    page = html(client.get(f"/beheer/toets?ronde={round_.slug}"))
    assert f"/beheer/toets/rondes/{round_.slug}/te-weinig-steun" in page
    response = post(client, f"/beheer/toets/rondes/{round_.slug}/te-weinig-steun")
    assert response.status_code == 303
    db.session.expire_all()
    assert lonely.status == "not_enough_support" and liked.status == "published"
    assert post(client, "/beheer/toets/rondes/bestaat-niet/te-weinig-steun").status_code == 404


def test_close_ideas_refused_during_ideas(client, reviewer):
    round_ = make_round(Phase.IDEAS, min_supporters=3)
    proposal = make_proposal(round_)
    response = post(client, f"/beheer/toets/rondes/{round_.slug}/te-weinig-steun")
    assert response.status_code == 303
    db.session.expire_all()
    assert proposal.status == "published"


def test_review_pages_in_english(client, reviewer):
    proposal = make_proposal(make_round())
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token(client)})
    reviewer.locale = "en"
    db.session.commit()
    page = html(client.get(f"/beheer/toets/voorstellen/{proposal.id}"))
    assert '<html lang="en"' in page and "Save verdict" in page
