"""Counting, publishing, results pages and exports through the web."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.extensions import db
from burgerbegroting.results.models import ImplementationUpdate, TallyRun
from tests.conftest import csrf_from, login, make_user
from tests.results.conftest import make_counting_round

ROOT = Path(__file__).resolve().parents[2]


def client_as(app, email: str, role: str | None):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if role is not None:
        make_user(email, roles=(role,))
        assert login(client, email).status_code == 303
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def count_and_publish(app, round_):  # type: ignore[no-untyped-def]
    admin = client_as(app, f"beheer-{round_.slug}@example.org", "admin")
    page = admin.get(f"/beheer/rondes/{round_.slug}/telling")
    assert page.status_code == 200
    token = csrf_from(text(page))
    response = admin.post(f"/beheer/rondes/{round_.slug}/telling", data={"csrf_token": token, "district": "all"})
    assert response.status_code == 303
    response = admin.post(f"/beheer/rondes/{round_.slug}/publiceren",
                          data={"csrf_token": token, "reason": "Telling gecontroleerd"})
    assert response.status_code == 303 and response.headers["Location"] == f"/rondes/{round_.slug}/uitslag"
    return admin


def test_nobody_but_admins_sees_counts_before_publication(app):
    round_, district, _proposals, _ = make_counting_round()
    admin = client_as(app, "beheer-vooraf@example.org", "admin")
    token = csrf_from(text(admin.get(f"/beheer/rondes/{round_.slug}/telling")))
    assert admin.post(f"/beheer/rondes/{round_.slug}/telling",
                      data={"csrf_token": token, "district": str(district.id)}).status_code == 303
    admin_page = text(admin.get(f"/beheer/rondes/{round_.slug}/telling"))
    run = db.session.scalars(sa.select(TallyRun).where(TallyRun.round_id == round_.id)).one()
    assert run.input_sha256 in admin_page
    viewers = [("anonymous", None), ("bewoner", "resident"), ("raad", "council"), ("toets", "reviewer"),
               ("moderator", "moderator")]
    for name, role in viewers:
        client = client_as(app, f"{name}-vooraf@example.org", role)
        page = client.get(f"/rondes/{round_.slug}/uitslag")
        assert page.status_code == 200
        assert run.input_sha256 not in text(page) and "Plan 1" not in text(page), name
        assert client.get(f"/rondes/{round_.slug}/uitslag/{district.id}.pb").status_code == 404, name
        assert client.get(f"/rondes/{round_.slug}/uitslag.csv").status_code == 404, name
        assert client.get(f"/rondes/{round_.slug}/evaluatie.csv").status_code == 404, name
        assert client.get(f"/beheer/rondes/{round_.slug}/telling").status_code in (302, 403), name
        if role == "council":
            dashboard = text(client.get("/raad"))
            assert run.input_sha256 not in dashboard
            rows = list(csv.reader(io.StringIO(text(client.get("/raad.csv")).lstrip("\ufeff")), delimiter=";"))
            ours = [r for r in rows if r[0] == round_.name]
            assert ours and all(r[4:] == [""] * 6 for r in ours)  # no turnout or allocation yet
    # Even the admin's public page says "not yet".
    assert run.input_sha256 not in text(admin.get(f"/rondes/{round_.slug}/uitslag"))


def test_count_form_refuses_unknown_district(app):
    round_, _, _, _ = make_counting_round()
    admin = client_as(app, "beheer-fout@example.org", "admin")
    token = csrf_from(text(admin.get(f"/beheer/rondes/{round_.slug}/telling")))
    for bad in ("", "999999", "abc"):
        response = admin.post(f"/beheer/rondes/{round_.slug}/telling", data={"csrf_token": token, "district": bad})
        assert response.status_code == 422
    assert admin.post(f"/beheer/rondes/{round_.slug}/telling", data={"district": "all"}).status_code == 400  # no CSRF
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun)
                             .where(TallyRun.round_id == round_.id)) == 0


def test_publish_needs_a_reason_and_every_district(app):
    round_, district, _, _ = make_counting_round()
    admin = client_as(app, "beheer-publ@example.org", "admin")
    token = csrf_from(text(admin.get(f"/beheer/rondes/{round_.slug}/telling")))
    assert admin.post(f"/beheer/rondes/{round_.slug}/publiceren", data={"csrf_token": token, "reason": ""}
                      ).status_code == 422
    admin.post(f"/beheer/rondes/{round_.slug}/telling", data={"csrf_token": token, "district": str(district.id)})
    response = admin.post(f"/beheer/rondes/{round_.slug}/publiceren", data={"csrf_token": token, "reason": "klaar"})
    assert response.status_code == 422
    assert "Dorp" in text(response)
    council = client_as(app, "raad-publ@example.org", "council")
    assert council.post(f"/beheer/rondes/{round_.slug}/publiceren",
                        data={"csrf_token": token, "reason": "x"}).status_code in (400, 403)


def test_published_pb_recounts_to_the_published_result(app, tmp_path):
    round_, district, proposals, _ = make_counting_round(ballot_type="cumulative", counting_rule="greedy",
                                                         points_total=10, ballots=[[(0, 6), (1, 4)]] * 5
                                                         + [[(2, 10)]] * 4 + [[(3, 5), (0, 5)]] * 2)
    admin = count_and_publish(app, round_)
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target == f"round:{round_.id}")).all()
    assert {"tally_stored"} <= {e.action for e in audit} and len(audit) >= 3
    resident = client_as(app, "bewoner-na@example.org", "resident")
    page = resident.get(f"/rondes/{round_.slug}/uitslag")
    assert page.status_code == 200
    run = db.session.scalars(sa.select(TallyRun).where(TallyRun.district_id == district.id)).one()
    assert run.input_sha256 in text(page) and "greedy" in text(page)
    download = app.test_client().get(f"/rondes/{round_.slug}/uitslag/{district.id}.pb")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    pb = tmp_path / "district.pb"
    pb.write_bytes(download.data)
    import hashlib
    assert hashlib.sha256(download.data).hexdigest() == run.input_sha256
    result = subprocess.run([sys.executable, "-m", "burgerbegroting.counting", str(pb), "--rule", "pabulib",
                             "--json"], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60)
    recount = json.loads(result.stdout)
    published = [p.id for p in proposals if p.status == "selected"]
    assert sorted(int(i) for i in recount["selected"]) == sorted(published)
    assert published  # something was chosen
    del admin


def test_results_page_explains_every_proposal_in_both_languages(app):
    round_, _district, proposals, _ = make_counting_round()
    count_and_publish(app, round_)
    client = app.test_client()
    nl = text(client.get(f"/rondes/{round_.slug}/uitslag"))
    for p in proposals:
        assert p.title in nl
    assert "Gekozen" in nl or "Chosen" in nl
    assert "/stemmen/" in nl and "/controle" in nl  # receipt check link
    assert "<svg" in nl and "<table" in nl
    token = csrf_from(text(client.get("/")))
    client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/"})
    assert "Gekozen: de " in nl and "Chosen: its" not in nl
    en = text(client.get(f"/rondes/{round_.slug}/uitslag"))
    assert "Chosen: its" in en and "supporters each paid" in en  # sentences are cached per language
    assert "Gekozen: de " not in en
    assert "What if another counting rule had been used?" in en
    rows = list(csv.reader(io.StringIO(text(client.get(f"/rondes/{round_.slug}/uitslag.csv")).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][0] == "district" and len(rows) == 1 + len(proposals) + 1


def test_implementation_updates_and_evaluation(app):
    round_, _district, proposals, _ = make_counting_round()
    admin = count_and_publish(app, round_)
    chosen = next(p for p in proposals if p.status == "selected")
    loser = next(p for p in proposals if p.status == "not_selected")
    url = f"/beheer/voorstellen/{chosen.id}/uitvoering"
    page = admin.get(url)
    assert page.status_code == 200
    token = csrf_from(text(page))
    assert admin.post(url, data={"csrf_token": token, "status": "in_progress", "text": ""}).status_code == 422
    assert admin.post(url, data={"csrf_token": token, "status": "weg", "text": "x"}).status_code == 422
    bad_photo = {"csrf_token": token, "status": "planned", "text": "x", "photo": (io.BytesIO(b"not an image"), "a.png")}
    assert admin.post(url, data=bad_photo, content_type="multipart/form-data").status_code == 422
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(buf, "PNG")
    buf.seek(0)
    response = admin.post(url, data={"csrf_token": token, "status": "in_progress", "text": "De schop gaat erin.",
                                     "photo": (buf, "werk.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    update = db.session.scalars(sa.select(ImplementationUpdate).where(ImplementationUpdate.proposal_id == chosen.id)
                                ).one()
    assert "De schop gaat erin." in text(admin.get(url))  # the include shows the updates
    assert update.photo_type == "image/png"
    db.session.refresh(chosen)
    assert chosen.status == "in_progress"
    assert app.test_client().get(f"/uitvoering/{update.id}/foto").status_code == 200
    assert admin.post(url, data={"csrf_token": token, "status": "planned", "text": "Zonder foto."}
                      ).status_code == 303  # the photo is optional
    assert admin.get(f"/beheer/voorstellen/{loser.id}/uitvoering").status_code == 404
    resident = client_as(app, "bewoner-uitv@example.org", "resident")
    assert resident.post(url, data={"csrf_token": token, "status": "done", "text": "x"}).status_code in (400, 403)
    evaluation = text(app.test_client().get(f"/rondes/{round_.slug}/evaluatie"))
    assert "Zonder foto." in evaluation and chosen.title in evaluation  # the latest update
    rows = list(csv.reader(io.StringIO(text(app.test_client().get(f"/rondes/{round_.slug}/evaluatie.csv"))
                                       .lstrip("\ufeff")), delimiter=";"))
    assert any(r[0] == str(chosen.id) and r[4] == "in_progress" and r[5] == "planned" for r in rows)


def test_council_dashboard_after_publication(app):
    round_, district, _proposals, _ = make_counting_round()
    count_and_publish(app, round_)
    council = client_as(app, "raad-na@example.org", "council")
    page = text(council.get("/raad"))
    assert round_.name in page and "<svg" in page
    rows = list(csv.reader(io.StringIO(text(council.get("/raad.csv")).lstrip("\ufeff")), delimiter=";"))
    ours = {r[2]: r for r in rows if r[0] == round_.name}
    assert ours[district.name][4] == "11" and ours[district.name][6] == "2"  # 11 ballots, 2 on paper
    pdf = council.get("/raad/rapport.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client_as(app, "bewoner-raad@example.org", "resident").get("/raad").status_code == 403


def test_results_page_queries_do_not_grow_with_the_number_of_districts(app):
    small, big = make_counting_round()[0], make_counting_round(extra_districts=5)[0]
    count_and_publish(app, small)
    count_and_publish(app, big)
    urls = [f"/rondes/{small.slug}/uitslag", f"/rondes/{big.slug}/uitslag"]
    client = app.test_client()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    pages, counts = [], []
    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        for url in urls:
            seen.clear()
            pages.append(text(client.get(url)))
            counts.append(len(seen))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "Plan extra" not in pages[0] and all(f"Plan extra {k}" in pages[1] for k in range(5))
    assert counts[0] == counts[1]


def test_results_tables_follow_a_changed_title_and_stay_escaped(app):
    round_, _district, proposals, _ = make_counting_round()
    count_and_publish(app, round_)
    url = f"/rondes/{round_.slug}/uitslag"
    client = app.test_client()
    assert proposals[1].title in text(client.get(url))
    proposals[1].title = "Bankjes <script>alert(1)</script> & tafels"
    db.session.commit()
    page = text(client.get(url))
    assert "Bankjes &lt;script&gt;alert(1)&lt;/script&gt; &amp; tafels" in page
    assert "<script>alert(1)" not in page
    assert page.count("Bankjes &lt;script&gt;") >= 2  # the explanation and the "what if" table (and chosen)
