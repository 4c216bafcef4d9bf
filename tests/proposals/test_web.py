"""The proposal pages through the test client: forms with CSRF, uploads, htmx fragments."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals import operations as ops
from burgerbegroting.proposals.models import Comment, Proposal, ProposalImage, Support
from tests.conftest import csrf_from, login, make_user
from tests.proposals.helpers import image_bytes, make_proposal, make_round, move_to, n_proposals, n_rows, only_proposal

HX = {"HX-Request": "true"}


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def english_user(email: str, name: str):  # type: ignore[no-untyped-def]
    """Most tests read the English msgids; test_dutch_is_the_default checks the catalogue."""
    user = make_user(email, name=name)
    user.locale = "en"
    db.session.commit()
    return user


@pytest.fixture
def author(client):  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        session["lang"] = "en"
    return english_user("auteur@example.org", "Anna Auteur")


@pytest.fixture
def neighbour():  # type: ignore[no-untyped-def]
    return english_user("buur@example.org", "Ben Buur")


def form_data(round_, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Een bankje bij de vijver",
        "summary": "Zodat ouderen kunnen rusten.",
        "body": "Regel een\r\nRegel twee",
        "cost": "1.250,50",
        "district": str(round_.districts[0].id),
        "theme": "green",
        "address": "Dorpsstraat 1",
        "latitude": "",
        "longitude": "",
        "action": "publish",
    }
    data.update(overrides)
    return data


def post_form(client, url, data, files=None):  # type: ignore[no-untyped-def]
    html = page(client.get(url))
    payload = {**data, "csrf_token": csrf_from(html)}
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', html)
    if version and "version" not in payload:
        payload["version"] = version.group(1)
    for name, (content, filename) in (files or {}).items():
        payload[name] = (io.BytesIO(content), filename)
    return client.post(url, data=payload, content_type="multipart/form-data")


# Submitting ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    response = client.get(f"/rondes/{round_.slug}/voorstellen/nieuw")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_submit_with_image(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    login(client, author.email)
    url = f"/rondes/{round_.slug}/voorstellen/nieuw"
    assert client.get(url).status_code == 200
    response = post_form(
        client,
        url,
        form_data(round_, latitude="52.1", longitude="5.12", alt_1="De vijver"),
        files={"image_1": (image_bytes("JPEG", exif=True), "vijver.jpg")},
    )
    assert response.status_code == 303, page(response)
    proposal = only_proposal(round_)
    assert (proposal.status, proposal.cost_cents, proposal.body) == ("published", 125_050, "Regel een\nRegel twee")
    assert (proposal.latitude, proposal.longitude, proposal.theme) == (52.1, 5.12, "green")
    image = proposal.images[0]
    assert b"GeheimMerk" not in image.data
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200
    html = page(detail)
    assert 'alt="De vijver"' in html and "Regel een<br>Regel twee" in html
    served = client.get(f"/voorstellen/{proposal.id}/afbeeldingen/{image.id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg" and served.data == image.data
    assert "max-age" in served.headers["Cache-Control"] and served.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        f"/voorstellen/{proposal.id}/afbeeldingen/{image.id}", headers={"If-None-Match": served.headers["ETag"]}
    )
    assert again.status_code == 304


def test_bad_input_gives_field_errors_and_keeps_values(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    login(client, author.email)
    url = f"/rondes/{round_.slug}/voorstellen/nieuw"
    data = form_data(
        round_,
        title="<script>alert(1)</script>" + "x" * 120,
        cost="-5",
        district="99999",
        theme="kermis",
        latitude="91",
        longitude="abc",
    )
    response = post_form(
        client, url, data, files={"image_1": (b"geen foto", "foto.jpg"), "image_2": (image_bytes("PNG"), "ok.png")}
    )
    assert response.status_code == 422
    html = page(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    for message in (
        "A title has at most 120 characters.",
        "Enter an amount of more than € 0.",
        "Choose one of the districts in the list.",
        "Choose one of the themes in the list.",
        "This file is not an image we can read.",
        "Describe what image 2 shows",
        "The place chosen on the map could not be read.",
    ):
        assert message in html, message
    assert 'value="Dorpsstraat 1"' in html  # kept
    assert n_proposals(round_) == 0 and n_rows(ProposalImage, round_) == 0


def test_cost_over_district_budget_and_absurd(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round(districts=(("Klein", 1_000_000),))
    login(client, author.email)
    url = f"/rondes/{round_.slug}/voorstellen/nieuw"
    response = post_form(client, url, form_data(round_, cost="10.000,01"))
    assert response.status_code == 422 and "more than the whole budget of Klein" in page(response)
    response = post_form(client, url, form_data(round_, cost="999999999999"))
    assert response.status_code == 422 and "at most € 100 million" in page(response)
    response = post_form(client, url, form_data(round_, cost="twaalf"))
    assert response.status_code == 422 and "numbers only" in page(response)
    assert n_proposals(round_) == 0


def test_oversize_upload_is_a_field_error(client, author, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A lower limit keeps the upload in memory: the test client spools bodies above 500 kB to
    # a temporary file that it never closes (a ResourceWarning). The 5 MB limit itself is
    # tested in test_images.py.
    from burgerbegroting.proposals import images

    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 100_000)
    round_ = make_round()
    login(client, author.email)
    big = image_bytes("PNG") + b"\0" * 100_001
    response = post_form(
        client,
        f"/rondes/{round_.slug}/voorstellen/nieuw",
        form_data(round_, alt_1="Groot"),
        files={"image_1": (big, "groot.png")},
    )
    assert response.status_code == 422 and "larger than 5 MB" in page(response)
    assert n_proposals(round_) == 0


def test_save_draft_then_publish(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    login(client, author.email)
    response = post_form(client, f"/rondes/{round_.slug}/voorstellen/nieuw", form_data(round_, action="draft"))
    assert response.status_code == 303
    proposal = only_proposal(round_)
    assert proposal.status == "draft"
    assert "This is a draft" in page(client.get(f"/voorstellen/{proposal.id}"))
    assert "Een bankje bij de vijver" in page(client.get("/mijn-voorstellen"))
    assert "Een bankje" not in page(client.get(f"/rondes/{round_.slug}/voorstellen"))
    # Someone else cannot see a draft.
    other = english_user("derde@example.org", "Derde")
    client2 = client.application.test_client()
    login(client2, other.email)
    assert client2.get(f"/voorstellen/{proposal.id}").status_code == 404
    # Publish from the edit form.
    response = post_form(client, f"/voorstellen/{proposal.id}/bewerken", form_data(round_, action="publish"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "published"


def test_submit_refused_outside_ideas_phase(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round(Phase.REVIEW)
    login(client, author.email)
    assert client.get(f"/rondes/{round_.slug}/voorstellen/nieuw").status_code == 403


# Editing and withdrawing --------------------------------------------------------------------


def test_edit_is_author_only_and_records_cost(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    assert client.get(f"/voorstellen/{proposal.id}/bewerken").status_code == 403
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    assert (
        client.post(f"/voorstellen/{proposal.id}/bewerken", data={**form_data(round_), "csrf_token": token}).status_code
        == 403
    )
    assert client.post(f"/voorstellen/{proposal.id}/intrekken", data={"csrf_token": token}).status_code == 403

    author_client = client.application.test_client()
    login(author_client, author.email)
    edit_page = page(author_client.get(f"/voorstellen/{proposal.id}/bewerken"))
    assert 'value="7500"' in edit_page
    response = post_form(
        author_client, f"/voorstellen/{proposal.id}/bewerken", form_data(round_, cost="8000", action="save")
    )
    assert response.status_code == 303
    html = page(author_client.get(f"/voorstellen/{proposal.id}"))
    assert "First estimate: €7,500.00" in html and "Estimate changed by the author: €8,000.00" in html


def test_edit_refused_in_review_phase(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    move_to(round_, Phase.REVIEW)
    login(client, author.email)
    assert client.get(f"/voorstellen/{proposal.id}/bewerken").status_code == 403


def test_stale_edit_form_is_a_conflict(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, author.email)
    url = f"/voorstellen/{proposal.id}/bewerken"
    token = csrf_from(page(client.get(url)))
    response = client.post(url, data={**form_data(round_, title="Oud formulier"), "version": "0", "csrf_token": token})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).title != "Oud formulier"


def test_withdraw_with_confirmation(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, author.email)
    url = f"/voorstellen/{proposal.id}/intrekken"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert client.post(url, data={"csrf_token": csrf_from(page(confirm))}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "withdrawn"


# Supporting ---------------------------------------------------------------------------------


def test_support_without_js_and_twice(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    url = f"/voorstellen/{proposal.id}/steun"
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 303
    assert ops.support_count(proposal.id) == 1
    again = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200 and "You already support this plan." in page(again)
    assert n_rows(Support, round_) == 1
    assert client.post(f"/voorstellen/{proposal.id}/steun/intrekken", data={"csrf_token": token}).status_code == 303
    assert n_rows(Support, round_) == 0


def test_support_with_htmx_returns_the_block(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    response = client.post(f"/voorstellen/{proposal.id}/steun", data={"csrf_token": token}, headers=HX)
    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html and 'id="steun"' in html and "1 resident supports this plan." in html
    assert "Withdraw my support" in html


def test_support_refusals(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    anonymous_token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    anonymous = client.post(f"/voorstellen/{proposal.id}/steun", data={"csrf_token": anonymous_token})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login(client, author.email)
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    own = client.post(f"/voorstellen/{proposal.id}/steun", data={"csrf_token": token}, follow_redirects=True)
    assert "You cannot support your own plan" in page(own) and n_rows(Support, round_) == 0
    move_to(round_, Phase.REVIEW)
    assert client.post(f"/voorstellen/{proposal.id}/steun", data={"csrf_token": token}).status_code == 403
    assert client.post("/voorstellen/999999/steun", data={"csrf_token": token}).status_code == 404


# Comments -----------------------------------------------------------------------------------


def test_comment_reply_and_hidden_placeholder(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    url = f"/voorstellen/{proposal.id}/reacties"
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    assert client.post(url, data={"csrf_token": token, "body": "<b>Mooi</b> plan"}).status_code == 303
    top = db.session.scalars(sa.select(Comment).where(Comment.proposal_id == proposal.id)).one()
    assert client.post(url, data={"csrf_token": token, "body": "Eens!", "parent_id": str(top.id)}).status_code == 303
    reply = db.session.scalars(sa.select(Comment).where(Comment.parent_id == top.id)).one()
    assert client.post(url, data={"csrf_token": token, "body": "Diep", "parent_id": str(reply.id)}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).where(Comment.parent_id == top.id)) == 2
    reply.hidden_at, reply.hidden_reason = utcnow(), "Persoonlijke gegevens"
    db.session.commit()
    html = page(client.get(f"/voorstellen/{proposal.id}"))
    assert "&lt;b&gt;Mooi&lt;/b&gt; plan" in html
    assert "Hidden by a moderator: Persoonlijke gegevens" in html and "Eens!" not in html


def test_comment_errors(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    url = f"/voorstellen/{proposal.id}/reacties"
    token = csrf_from(page(client.get(f"/voorstellen/{proposal.id}")))
    empty = client.post(url, data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "Write a reaction." in page(empty)
    long = client.post(url, data={"csrf_token": token, "body": "x" * 2001})
    assert long.status_code == 422 and "at most 2000 characters" in page(long)
    bad_parent = client.post(url, data={"csrf_token": token, "body": "Hoi", "parent_id": "12345"})
    assert bad_parent.status_code == 422
    nonsense = client.post(url, data={"csrf_token": token, "body": "Hoi", "parent_id": "abc"})
    assert nonsense.status_code == 422
    assert n_rows(Comment, round_) == 0


def test_comments_closed_when_disabled(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round(comments_enabled=False)
    proposal = make_proposal(round_, author.id)
    login(client, neighbour.email)
    html = page(client.get(f"/voorstellen/{proposal.id}"))
    assert "Reactions are switched off in this round." in html
    token = csrf_from(html)
    response = client.post(f"/voorstellen/{proposal.id}/reacties", data={"csrf_token": token, "body": "Hoi"})
    assert response.status_code == 303 and n_rows(Comment, round_) == 0


# Browsing -----------------------------------------------------------------------------------


def test_list_filters_htmx_and_pages(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    for n in range(23):
        make_proposal(round_, author.id, title=f"Plan nummer {n:02d}", theme="play" if n % 2 else "green")
    url = f"/rondes/{round_.slug}/voorstellen"
    full = client.get(url)
    assert full.status_code == 200
    html = page(full)
    assert "<html" in html and "23 plans" in html and html.count('bb-proposal-card"') == 20
    assert "HX-Request" in full.headers.get("Vary", "")
    second = client.get(url + "?pagina=2")
    assert page(second).count('bb-proposal-card"') == 3
    fragment = client.get(url + "?thema=play&volgorde=title", headers=HX)
    frag = page(fragment)
    assert "<html" not in frag and 'id="results"' in frag and "11 plans" in frag
    assert frag.index("Plan nummer 01") < frag.index("Plan nummer 03")
    restore = client.get(url + "?thema=play", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in page(restore)
    search = client.get(url + "?zoek=NUMMER+07")
    assert "1 plan" in page(search)
    bad = client.get(url + "?wijk=abc&volgorde=random&pagina=x")
    assert bad.status_code == 422 and "Choose one of the districts in the list." in page(bad)
    assert client.get("/rondes/bestaat-niet/voorstellen").status_code == 404


def test_hidden_proposal_page_shows_reason_not_content(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id, title="Geheime titel", body="Geheime tekst")
    proposal.hidden_at, proposal.hidden_reason = utcnow(), "Beledigend"
    db.session.commit()
    html = page(client.get(f"/voorstellen/{proposal.id}"))
    assert "Beledigend" in html and "Geheime titel" not in html and "Geheime tekst" not in html


def test_detail_shows_report_link_and_review_history(client, author, neighbour) -> None:  # type: ignore[no-untyped-def]
    from burgerbegroting.proposals import history

    round_ = make_round()
    proposal = make_proposal(round_, author.id, cost_cents=500_000)
    history.change_cost(proposal, 650_000, source="review", actor_id=None, public_note="Incl. fundering")
    db.session.commit()
    login(client, neighbour.email)
    html = page(client.get(f"/voorstellen/{proposal.id}"))
    assert "Incl. fundering" in html
    if "moderation.report" in client.application.view_functions:
        assert f"/melden/proposal/{proposal.id}" in html


def test_my_proposals_needs_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/mijn-voorstellen")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_ids_are_404(client, author) -> None:  # type: ignore[no-untyped-def]
    round_ = make_round()
    proposal = make_proposal(round_, author.id)
    assert client.get("/voorstellen/999999").status_code == 404
    assert client.get(f"/voorstellen/{proposal.id}/afbeeldingen/999999").status_code == 404
    assert client.get("/voorstellen/99999999999999").status_code == 404


def test_dutch_is_the_default(app, client) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import translated

    round_ = make_round()
    user = make_user("nl@example.org")
    proposal = make_proposal(round_, user.id)
    html = page(client.get(f"/voorstellen/{proposal.id}"))
    assert '<html lang="nl"' in html
    assert translated(app, "Support", "nl") in html
    assert translated(app, "Log in to support this plan", "nl") in html
