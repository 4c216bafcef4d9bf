"""Letters from an uploaded register as a background job: the request checks the whole file
and stores one job with the rows; the job stores entries and codes only with the finished
PDF, and the rows (names and addresses) leave the job row when it ends, however it ends."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa

from burgerbegroting.auth.models import UserRole
from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.jobs import queue, tasks
from burgerbegroting.jobs.models import Job
from burgerbegroting.voters import letters
from burgerbegroting.voters.letters import pdf_page_count
from burgerbegroting.voters.models import RegisterEntry, VotingCode
from tests.conftest import csrf_from, login, make_user
from tests.jobs.test_jobs import _emails, client_as, newest_job
from tests.voting.conftest import in_round, make_voting_round
from tests.web.conftest import html, token, translated


def register_csv(count: int, postcode: str = "9999 AB") -> str:
    return "naam;straat;postcode;woonplaats\n" + "".join(
        f"Inwoner {i};Dorpsstraat {i};{postcode};Dorp\n" for i in range(1, count + 1))


def upload(client, round_, district, text: str):  # type: ignore[no-untyped-def]
    csrf = csrf_from(html(client.get(f"/beheer/rondes/{round_.id}/stemcodes")))
    return client.post(f"/beheer/rondes/{round_.id}/stemcodes/register",
                       data={"district": str(district.id), "csrf_token": csrf,
                             "file": (io.BytesIO(text.encode()), "register.csv")},
                       content_type="multipart/form-data")


def payload_of(job_id: int) -> str | None:
    return db.session.scalar(sa.select(Job.payload_json).where(Job.id == job_id))


def audited(round_) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(e.payload) for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "voting_codes_generated", AuditEvent.target == f"round:{round_.id}"))]


def test_register_letters_job_inline(app, monkeypatch):
    monkeypatch.setattr(tasks, "LETTERS_PER_PART", 2)  # three parts joined into one PDF
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    response = upload(client, round_, district, register_csv(5))
    job = newest_job()
    assert response.status_code == 303 and response.location.endswith(f"/beheer/taken/{job.id}")
    assert (job.kind, job.status, job.progress_done, job.progress_total) == ("register_letters", "done", 5, 5)
    assert job.params == {"district_id": district.id, "count": 5}  # ids and numbers only
    assert payload_of(job.id) is None  # the names and addresses left the job row
    entries = db.session.scalars(sa.select(RegisterEntry).where(RegisterEntry.round_id == round_.id)
                                 .order_by(RegisterEntry.id)).all()
    assert [(e.name, e.postcode, e.district_id) for e in entries] == [
        (f"Inwoner {i}", "9999AB", district.id) for i in range(1, 6)]
    coded = db.session.scalars(sa.select(VotingCode.register_entry_id).where(VotingCode.round_id == round_.id))
    assert sorted(coded) == [e.id for e in entries]  # one code per person, one batch
    assert [(a["district_id"], a["count"]) for a in audited(round_)] == [(district.id, 5)]
    page = client.get(f"/beheer/taken/{job.id}")
    assert translated(app, "Letters from a register", "nl") in html(page)
    pdf = client.get(f"/beheer/taken/{job.id}/bestand")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf_page_count(pdf.data) == 5
    # Found again by name for a lost letter, as with the synchronous upload.
    assert "Inwoner 3" in html(client.get(f"/beheer/rondes/{round_.id}/stemcodes?q=Inwoner%203"))


def test_a_bad_register_stores_nothing_and_starts_no_job(app):
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    bad = register_csv(3) + "B. Bakker;;12;Dorp\nC;Weg 2;1000AA;X\n"
    response = upload(client, round_, district, bad)
    page = html(response)
    assert response.status_code == 422
    assert translated(app, "The street is empty.", "nl") in page
    assert translated(app, "“%(detail)s” is not a postcode like 9901 AB.", "nl", detail="12") in page
    assert translated(app, "The postcode %(detail)s is not in this district.", "nl", detail="1000AA") in page
    assert f'<option selected value="{district.id}">' in page  # the admin's choice is kept
    assert newest_job() is None
    assert in_round(RegisterEntry, round_) == 0 and in_round(VotingCode, round_) == 0


def test_the_row_limit_is_the_job_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_LETTERS_PER_JOB", 3)
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    response = upload(client, round_, district, register_csv(4))
    assert response.status_code == 422
    assert translated(app, "The file has more than %(detail)s rows.", "nl", detail="3") in html(response)
    assert newest_job() is None and in_round(RegisterEntry, round_) == 0
    # The size limit follows the row limit: 4 rows' worth of bytes for 3 rows is too much.
    big = "naam;straat;postcode;woonplaats\n" + "x" * 4_000
    response = upload(client, round_, district, big)
    assert response.status_code == 422
    assert translated(app, "The file is too large (at most %(detail)s).", "nl", detail="4 kB") in html(response)
    assert upload(client, round_, district, register_csv(3)).status_code == 303
    assert in_round(RegisterEntry, round_) == 3


def test_a_job_failing_half_way_stores_nothing_and_forgets_the_rows(app, monkeypatch):
    monkeypatch.setattr(tasks, "LETTERS_PER_PART", 2)
    rendered = letters.letters_pdf
    parts: list[int] = []

    def breaks_at_part_two(round_, district, items):  # type: ignore[no-untyped-def]
        parts.append(len(items))
        if len(parts) == 2:
            raise RuntimeError("out of memory in /secret/path")
        return rendered(round_, district, items)

    monkeypatch.setattr(letters, "letters_pdf", breaks_at_part_two)
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    response = upload(client, round_, district, register_csv(5))
    job = newest_job()
    assert response.status_code == 303 and parts == [2, 2]
    assert (job.status, job.error, job.result_name, job.progress_done) == ("failed", "failed", None, 2)
    assert payload_of(job.id) is None
    assert in_round(RegisterEntry, round_) == 0 and in_round(VotingCode, round_) == 0
    assert audited(round_) == []
    page = html(client.get(f"/beheer/taken/{job.id}"))
    assert translated(app, "The uploaded register has been deleted with the job (it holds names and addresses). "
                      "To try again, upload the file again.", "nl") in page
    assert "secret" not in page and "RuntimeError" not in page


@pytest.mark.parametrize("roles", [("resident",), ("reviewer",), ("moderator",), ("council",)])
def test_only_admins_upload_a_register(app, roles):
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, *roles)
    response = client.post(f"/beheer/rondes/{round_.id}/stemcodes/register",
                           data={"district": str(district.id), "csrf_token": token(client),
                                 "file": (io.BytesIO(register_csv(2).encode()), "register.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert newest_job() is None and in_round(RegisterEntry, round_) == 0


def test_purge_clears_rows_left_with_ended_jobs(app):
    now = utcnow()
    rows = json.dumps({"rows": [[2, "A. Jansen", "Weg 1", "9999AA", "Dorp"]]})
    ended = Job(kind="register_letters", status="failed", finished_at=now, payload_json=rows)
    waiting = Job(kind="register_letters", status="queued", created_at=now, payload_json=rows)
    stuck = Job(kind="register_letters", status="queued", created_at=now - dt.timedelta(hours=3), payload_json=rows)
    db.session.add_all([ended, waiting, stuck])
    db.session.commit()
    queue.purge_results(now)
    assert queue.mark_interrupted(now) == 1
    db.session.commit()
    assert [payload_of(j.id) for j in (ended, waiting, stuck)] == [None, rows, None]
    db.session.expire_all()
    assert (stuck.status, stuck.error) == ("failed", "interrupted")


class TestThroughRedis:
    """The register job through RQ on a real Redis server and a real (burst) worker."""

    @pytest.fixture(autouse=True)
    def _queue(self, app, redis_url, monkeypatch):  # type: ignore[no-untyped-def]
        monkeypatch.setitem(app.config, "JOB_QUEUE_URL", redis_url)
        monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"test-{next(_emails)}")

    def work(self) -> None:
        from rq import SimpleWorker

        rq_queue = queue.rq_queue()
        SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)

    def test_rows_wait_with_the_job_then_become_entries_codes_and_letters(self, app):
        round_, district, _p, _ = make_voting_round()
        client = client_as(app, "admin")
        response = upload(client, round_, district, register_csv(3))
        job = newest_job()
        assert response.status_code == 303 and (job.kind, job.status) == ("register_letters", "queued")
        assert json.loads(payload_of(job.id) or "{}")["rows"][0][1:] == ["Inwoner 1", "Dorpsstraat 1", "9999AB",
                                                                         "Dorp"]
        assert in_round(RegisterEntry, round_) == 0 and in_round(VotingCode, round_) == 0
        self.work()
        job = newest_job()
        assert (job.status, job.progress_done, job.progress_total) == ("done", 3, 3)
        assert payload_of(job.id) is None
        assert in_round(RegisterEntry, round_) == 3 and in_round(VotingCode, round_) == 3
        assert len(audited(round_)) == 1
        assert pdf_page_count(client.get(f"/beheer/taken/{job.id}/bestand").data) == 3

    def test_rules_are_asked_again_and_the_rows_forgotten_on_refusal(self, app):
        round_, district, _p, _ = make_voting_round()
        email = f"taken{next(_emails)}@example.org"
        admin = make_user(email, roles=("admin",))
        client = app.test_client()
        login(client, email)
        assert upload(client, round_, district, register_csv(2)).status_code == 303
        db.session.execute(sa.delete(UserRole).where(UserRole.user_id == admin.id))
        db.session.commit()
        self.work()
        job = newest_job()
        assert (job.status, job.error) == ("failed", "not_allowed_now") and payload_of(job.id) is None
        assert in_round(RegisterEntry, round_) == 0 and in_round(VotingCode, round_) == 0

    def test_queue_down_forgets_the_rows(self, app, monkeypatch):
        monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "redis://127.0.0.1:1/0")
        round_, district, _p, _ = make_voting_round()
        response = upload(client_as(app, "admin"), round_, district, register_csv(2))
        job = newest_job()
        assert response.status_code == 303 and (job.status, job.error) == ("failed", "queue_unavailable")
        assert payload_of(job.id) is None and in_round(RegisterEntry, round_) == 0
