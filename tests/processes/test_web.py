"""The admin pages for rounds and the public spelregels page, through the test client."""

import io

import pytest
import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import District, Round
from tests.processes.conftest import make_round
from tests.web.conftest import html, login_as, post, set_language, token, translated

pytestmark = pytest.mark.usefixtures("seeded")


def round_by_slug(slug):
    return db.session.scalars(sa.select(Round).where(Round.slug == slug)).first()


ROUND_FORM = {"name": "Dorpsbudget <b>Oost</b>", "slug": "", "description": "<script>alert(1)</script>",
              "decision": "vote", "ballot_type": "approval", "counting_rule": "greedy", "min_choices": "1",
              "max_choices": "5", "points_total": "", "eligibility": "postcode", "min_age": "16",
              "min_supporters": "10", "comments_enabled": "y"}


@pytest.mark.parametrize("url", ["/beheer/rondes", "/beheer/rondes/nieuw", "/beheer/rondes/voorbeeld-gebieden.csv"])
def test_access(client, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert "/login" in client.get(url).headers["Location"]
    for role in ("resident", "reviewer", "moderator", "council"):
        login_as(client, role)
        assert client.get(url).status_code == 403, role
        client.post("/logout", data={"csrf_token": token(client)})
    login_as(client, "admin")
    assert client.get(url).status_code == 200


def test_round_pages_need_admin(client):
    round_ = round_by_slug("wijkbudgetten-2027")
    login_as(client, "resident")
    base = f"/beheer/rondes/{round_.id}"
    for url in (base, f"{base}/fasen", f"{base}/gebieden"):
        assert client.get(url).status_code == 403
    assert post(client, f"/beheer/rondes/{round_.id}/fase-wisselen", {"reason": "x"}).status_code == 403
    assert round_.phase_at().value == "ideas"


def test_create_round_with_auto_slug_and_html_shown_as_text(client):
    login_as(client, "admin")
    response = post(client, "/beheer/rondes/nieuw", ROUND_FORM)
    assert response.status_code == 303
    round_ = round_by_slug("dorpsbudget-b-oost-b")
    assert round_ is not None and round_.max_choices == 5 and round_.min_age == 16 and round_.counting_rule == "greedy"
    page = html(client.get(f"/beheer/rondes/{round_.id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first().action == "round_created"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter a name."),
    ({"slug": "Met Spaties"}, "slug", "Use only lower-case letters"),
    ({"slug": "wijkbudgetten-2027"}, "slug", "Another round already uses this web address"),
    ({"max_choices": "0"}, "max_choices", "Enter a whole number from 1 to 1000"),
    ({"min_choices": "3", "max_choices": "2"}, "max_choices", "The maximum cannot be lower than the minimum."),
    ({"min_choices": "drie"}, "min_choices", "Enter a whole number from 0 to 1000."),
    ({"ballot_type": "cumulative"}, "points_total", "Enter the number of points"),
    ({"points_total": "10"}, "points_total", "Points are only used with the points ballot."),
    ({"ballot_type": "lottery"}, "ballot_type", "Not a valid choice"),
    ({"min_age": "200"}, "min_age", "Enter an age from 0 to 120"),
    ({"counting_rule": "dictator"}, "counting_rule", "Not a valid choice"),
])
def test_round_form_errors(client, app, changes, field, message):
    login_as(client, "admin")
    set_language(client, "en")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Round))
    response = post(client, "/beheer/rondes/nieuw", {**ROUND_FORM, **changes})
    assert response.status_code == 422
    page = html(response)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == before


def schedule_data(round_, **override):
    from burgerbegroting.processes.forms import format_local

    data = {}
    for w in round_.phases:
        data[f"{w.phase}_on"] = "y"
        data[f"{w.phase}_start"] = format_local(w.starts_at)
        data[f"{w.phase}_end"] = format_local(w.ends_at)
    data.update(override)
    return data


def test_schedule_editor_errors_and_save(client):
    round_ = make_round("planning", voting_in_days=30)
    login_as(client, "admin")
    set_language(client, "en")
    url = f"/beheer/rondes/{round_.id}/fasen"
    assert client.get(url).status_code == 200
    bad = post(client, url, schedule_data(round_, review_end="2020-01-01T10:00"))
    assert bad.status_code == 422 and 'id="review_end-error"' in html(bad)
    assert "The end must be after the start." in html(bad)
    overlap = post(client, url, schedule_data(round_, voting_start=schedule_data(round_)["review_start"]))
    assert overlap.status_code == 422 and "may not overlap" in html(overlap)
    garbage = post(client, url, schedule_data(round_, ideas_start="morgen"))
    assert garbage.status_code == 422 and 'id="ideas_start-error"' in html(garbage)
    dst_gap = post(client, url, schedule_data(round_, ideas_start="2030-03-31T02:30"))
    assert dst_gap.status_code == 422 and "clocks go forward" in html(dst_gap)
    # Drop the results phase and move the counting end: saved, in UTC.
    data = schedule_data(round_, counting_end="2099-06-01T12:00")
    del data["results_on"]
    response = post(client, url, data)
    assert response.status_code == 303, html(response)
    db.session.expire_all()
    fresh = db.session.get(Round, round_.id)
    assert [w.phase for w in fresh.phases][-1] == "counting"
    assert fresh.window(fresh.phase_at().__class__("counting")).ends_at.isoformat() == "2099-06-01T10:00:00+00:00"


def test_phase_control_needs_a_reason_and_opens_voting(client):
    round_ = make_round("bijna", voting_in_days=2)
    login_as(client, "admin")
    url = f"/beheer/rondes/{round_.id}/fase-wisselen"
    assert post(client, url, {"reason": "  "}).status_code == 422
    assert round_.phase_at().value == "review"
    stale = post(client, url, {"reason": "x", "expected_phase": "ideas"})
    assert stale.status_code == 409
    response = post(client, url, {"reason": "Toetsing klaar", "expected_phase": "review"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Round, round_.id).phase_at().value == "voting"
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "phase_changed" and "Toetsing klaar" in event.payload


def test_district_add_edit_remove_and_errors(client):
    round_ = make_round("wijken", districts=0)
    round_id = round_.id
    login_as(client, "admin")
    set_language(client, "en")
    url = f"/beheer/rondes/{round_id}/gebieden"
    for data, field, message in [
        ({"name": "A", "kind": "stad", "budget": "10"}, "kind", "Not a valid choice"),
        ({"name": "A", "kind": "wijk", "budget": "0"}, "budget", "more than € 0"),
        ({"name": "A", "kind": "wijk", "budget": "-5"}, "budget", "more than € 0"),
        ({"name": "A", "kind": "wijk", "budget": "tien"}, "budget", "numbers only"),
        ({"name": "A", "kind": "wijk", "budget": "100.000.001"}, "budget", "at most € 100 million"),
        ({"name": "A", "kind": "wijk", "budget": "10", "postcodes": "1234-12"}, "postcodes", "is not a postcode"),
        ({"name": "A", "kind": "wijk", "budget": "10", "postcodes": "1236-1234"}, "postcodes", "lower one"),
    ]:
        response = post(client, url, data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in html(response) and message in html(response), data
    assert post(client, url, {"name": "<i>Noord</i>", "kind": "wijk", "budget": "1.234,50",
                              "postcodes": "9901ab-9901zz"}).status_code == 303
    district = db.session.scalars(sa.select(District).where(District.round_id == round_.id)).one()
    district_id = district.id
    assert district.budget_cents == 123450 and district.postcodes == "9901AB-9901ZZ"
    assert "&lt;i&gt;Noord&lt;/i&gt;" in html(client.get(url))
    dup = post(client, url, {"name": "<I>NOORD</I>", "kind": "wijk", "budget": "5"})
    assert dup.status_code == 422
    edit = f"{url}/{district.id}"
    assert client.get(edit).status_code == 200
    assert post(client, edit, {"name": "Noord", "kind": "kern", "budget": "2000", "postcodes": ""}).status_code == 303
    db.session.expire_all()
    assert db.session.get(District, district.id).budget_cents == 200000
    assert post(client, f"{edit}/verwijderen").status_code == 303
    db.session.expire_all()
    assert db.session.scalars(sa.select(District).where(District.round_id == round_id)).all() == []
    assert client.get(f"{url}/{district_id}").status_code == 404


def upload(client, url, content: bytes, filename="kernen.csv"):
    """A multipart POST, encoded here: the test client leaves its temporary file for large
    bodies open (a ResourceWarning)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    fields = MultiDict({"csrf_token": token(client)})
    fields.add("file", FileStorage(io.BytesIO(content), filename=filename, content_type="text/csv"))
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_without_a_file(client):
    round_ = make_round("leeg", districts=0)
    login_as(client, "admin")
    set_language(client, "en")
    response = post(client, f"/beheer/rondes/{round_.id}/gebieden/import")
    assert response.status_code == 422 and "Choose a CSV file." in html(response)


def test_csv_import_50_kernen(client):
    round_ = make_round("fusie", districts=0)
    login_as(client, "admin")
    rows = "".join(f"Kern {i:02d};kern;{10 + i}.000;{9000 + i}\n" for i in range(55))
    response = upload(client, f"/beheer/rondes/{round_.id}/gebieden/import",
                      ("\ufeffname;kind;budget;postcodes\n" + rows).encode("utf-8"))
    assert response.status_code == 303, html(response)
    assert len(db.session.scalars(sa.select(District).where(District.round_id == round_.id)).all()) == 55
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "districts_imported" and '"count": 55' in event.payload


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty."),
    (b"naam;soort;bedrag\nA;wijk;5\n", "The column “postcodes” is missing"),
    (b"name;kind;budget;postcodes\nA;stad;5;9901\nB;wijk;5,123;9902\nA;wijk;5;9903\n", "Unknown kind “stad”"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a text file"),
    (b"x" * 1_100_000, "The file is too large"),
    (b"name;kind;budget;postcodes\nWijk 1;wijk;5;9901\n", "There is already a district called “Wijk 1”"),
])
def test_bad_csv_imports_nothing(client, content, message):
    round_ = make_round("kapot", districts=1)
    login_as(client, "admin")
    set_language(client, "en")
    response = upload(client, f"/beheer/rondes/{round_.id}/gebieden/import", content)
    assert response.status_code == 422
    assert message in html(response)
    assert len(db.session.scalars(sa.select(District).where(District.round_id == round_.id)).all()) == 1


def test_bad_csv_reports_line_numbers(client):
    round_ = make_round("regels", districts=0)
    login_as(client, "admin")
    set_language(client, "en")
    response = upload(client, f"/beheer/rondes/{round_.id}/gebieden/import",
                      b"name;kind;budget;postcodes\nA;wijk;5;9901\nB;stad;5;9902\nC;wijk;abc;9903\n")
    page = html(response)
    assert response.status_code == 422
    assert "<td class=\"utrecht-table__cell\">3</td>" in page and "<td class=\"utrecht-table__cell\">4</td>" in page
    assert "2 problems" in page and "Nothing has been imported" in page


def test_example_csv_imports_cleanly(client):
    round_ = make_round("voorbeeld", districts=0)
    login_as(client, "admin")
    example = client.get("/beheer/rondes/voorbeeld-gebieden.csv")
    assert example.headers["Content-Type"].startswith("text/csv")
    assert upload(client, f"/beheer/rondes/{round_.id}/gebieden/import", example.data).status_code == 303


def test_rule_lock_in_the_ui_and_422s(client, app):
    round_ = make_round("op-slot", voting_in_days=-1)
    district = round_.districts[0]
    login_as(client, "admin")
    set_language(client, "en")
    page = html(client.get(f"/beheer/rondes/{round_.id}"))
    assert "Locked." in page and 'name="ballot_type"' not in page
    # The form without the locked fields saves the rest.
    form = {k: v for k, v in ROUND_FORM.items() if k not in ("decision", "ballot_type", "counting_rule", "min_choices",
                                                               "max_choices", "points_total")}
    saved = post(client, f"/beheer/rondes/{round_.id}", {**form, "slug": "op-slot", "name": "Nieuwe naam"})
    assert saved.status_code == 303
    # A request that changes a locked setting is refused with the reason, nothing stored.
    refused = post(client, f"/beheer/rondes/{round_.id}", {**form, "slug": "op-slot", "name": "Weer anders",
                                                           "ballot_type": "knapsack"})
    assert refused.status_code == 422 and "Voting has started" in html(refused)
    db.session.expire_all()
    fresh = db.session.get(Round, round_.id)
    assert (fresh.name, fresh.ballot_type) == ("Nieuwe naam", "approval")
    districts_url = f"/beheer/rondes/{round_.id}/gebieden"
    assert 'action="' + districts_url + '"' not in html(client.get(districts_url))
    for response in (
        post(client, districts_url, {"name": "Nieuw", "kind": "wijk", "budget": "5"}),
        post(client, f"{districts_url}/{district.id}", {"name": district.name, "kind": "wijk", "budget": "1"}),
        post(client, f"{districts_url}/{district.id}/verwijderen"),
        upload(client, f"{districts_url}/import", b"name;kind;budget;postcodes\nX;wijk;5;9901\n"),
    ):
        assert response.status_code == 422 and "Voting has started" in html(response)
    db.session.expire_all()
    assert sorted(d.budget_cents for d in db.session.get(Round, round_.id).districts) == [10_000_00, 20_000_00]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_spelregels_follow_the_configuration(client, app, lang):
    round_ = make_round("regels-test", voting_in_days=5, max_choices=5, counting_rule="equal-shares")
    set_language(client, lang)
    url = "/rondes/regels-test/spelregels"
    page = html(client.get(url))
    with app.test_request_context():
        from flask_babel import force_locale, ngettext
        from markupsafe import escape

        with force_locale(lang):
            at_most = str(escape(ngettext("Choose at most %(num)d plan.", "Choose at most %(num)d plans.", 5)))
            at_most_3 = str(escape(ngettext("Choose at most %(num)d plan.", "Choose at most %(num)d plans.", 3)))
    equal_tie = translated(app, "If plans are equal: first the cheapest plan, then the plan with the most votes, "
                                "then the plan with the lowest number.", lang)
    greedy = translated(app, "The plan with the most votes gets money first. Then the plan with the next most votes, "
                             "and so on, until the money is used up.", lang)
    assert at_most in page and equal_tie in page and greedy not in page
    round_.max_choices = 3
    round_.counting_rule = "greedy"
    db.session.commit()
    page = html(client.get(url))
    assert at_most_3 in page and at_most not in page and greedy in page and equal_tie not in page
    round_.decision = "panel"
    db.session.commit()
    page = html(client.get(url))
    assert translated(app, "Feasible plans go to the panel.", lang) in page and greedy not in page


def test_spelregels_of_a_draft_round_only_for_admins(client):
    make_round("concept", voting_in_days=60)
    assert client.get("/rondes/concept/spelregels").status_code == 404
    assert client.get("/rondes/bestaat-niet/spelregels").status_code == 404
    login_as(client, "admin")
    assert client.get("/rondes/concept/spelregels").status_code == 200


def test_round_overview_links_the_spelregels(client):
    assert "/rondes/wijkbudgetten-2027/spelregels" in html(client.get("/rondes/wijkbudgetten-2027"))
