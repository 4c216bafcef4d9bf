"""Background jobs: letters and counts run inline without a queue and through a real RQ
worker on Redis; failures leave nothing half-written; only admins see and start jobs."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from burgerbegroting.auth.models import UserRole
from burgerbegroting.extensions import db
from burgerbegroting.jobs import tasks
from burgerbegroting.jobs.models import Job
from burgerbegroting.results.models import TallyRun
from burgerbegroting.voters.letters import pdf_page_count
from burgerbegroting.voters.models import VotingCode
from tests.conftest import csrf_from, login, make_user
from tests.results.conftest import make_counting_round
from tests.voting.conftest import in_round, make_voting_round
from tests.web.conftest import html, token, translated

_emails = itertools.count()


def client_as(app, *roles: str):  # type: ignore[no-untyped-def]
    email = f"taken{next(_emails)}@example.org"
    make_user(email, roles=roles)
    client = app.test_client()
    assert login(client, email).status_code == 303
    return client


def start_letters(client, round_, district, count: int):  # type: ignore[no-untyped-def]
    token = csrf_from(html(client.get(f"/beheer/rondes/{round_.id}/stemcodes")))
    return client.post(f"/beheer/rondes/{round_.id}/stemcodes/achtergrond",
                       data={"district": str(district.id), "count": str(count), "csrf_token": token})


def newest_job() -> Job:
    db.session.expire_all()
    return db.session.scalars(sa.select(Job).order_by(Job.id.desc())).first()


def test_letters_job_runs_inline_without_queue(app, monkeypatch):
    monkeypatch.setattr(tasks, "LETTERS_PER_PART", 2)  # three parts joined into one PDF
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    response = start_letters(client, round_, district, 5)
    job = newest_job()
    assert response.status_code == 303 and response.location.endswith(f"/beheer/taken/{job.id}")
    assert (job.kind, job.status, job.progress_done, job.progress_total) == ("letters", "done", 5, 5)
    assert job.params == {"district_id": district.id, "count": 5}
    assert in_round(VotingCode, round_) == 5
    page = client.get(f"/beheer/taken/{job.id}")
    assert page.status_code == 200 and f"/beheer/taken/{job.id}/bestand" in html(page)
    assert 'hx-trigger="every 2s"' not in html(page)  # finished: no more polling
    pdf = client.get(f"/beheer/taken/{job.id}/bestand")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store" and pdf_page_count(pdf.data) == 5
    assert "attachment" in pdf.headers["Content-Disposition"]
    # The admin deletes the file with the codes; the job stays, the download is gone.
    deleted = client.post(f"/beheer/taken/{job.id}/bestand/verwijderen", data={"csrf_token": csrf_from(html(page))})
    assert deleted.status_code == 303
    assert client.get(f"/beheer/taken/{job.id}/bestand").status_code == 404
    listing = client.get("/beheer/taken")
    assert listing.status_code == 200 and f"/beheer/taken/{job.id}" in html(listing)


def test_letters_job_refuses_bad_numbers_with_field_message(app):
    app.config["MAX_LETTERS_PER_JOB"], before = 4, app.config["MAX_LETTERS_PER_JOB"]
    try:
        round_, district, _p, _ = make_voting_round()
        client = client_as(app, "admin")
        for count in (0, 5):
            response = start_letters(client, round_, district, count)
            assert response.status_code == 422
            assert translated(app, "Enter a number from 1 to %(max)d.", "nl", max=4) in html(response)
        assert newest_job() is None and in_round(VotingCode, round_) == 0
    finally:
        app.config["MAX_LETTERS_PER_JOB"] = before


def test_failing_job_is_failed_with_safe_message_and_stores_nothing(app, monkeypatch):
    def broken(_documents):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full at /secret/path")

    monkeypatch.setattr("burgerbegroting.voters.letters.join_pdfs", broken)
    round_, district, _p, _ = make_voting_round()
    client = client_as(app, "admin")
    response = start_letters(client, round_, district, 3)
    job = newest_job()
    assert response.status_code == 303
    assert (job.status, job.error, job.result_name) == ("failed", "failed", None)
    assert job.finished_at is not None
    assert in_round(VotingCode, round_) == 0  # no half-written codes
    page = html(client.get(f"/beheer/taken/{job.id}"))
    assert translated(app, "Something went wrong while doing this job. Nothing was changed. Try again; if it fails "
                      "again, ask the technical administrator to look in the log.", "nl") in page
    assert "secret" not in page and "RuntimeError" not in page
    assert client.get(f"/beheer/taken/{job.id}/bestand").status_code == 404


def test_count_job_respects_the_phase(app):
    round_, _district, _p, _ = make_counting_round()
    client = client_as(app, "admin")
    token = csrf_from(html(client.get(f"/beheer/rondes/{round_.slug}/telling")))
    response = client.post(f"/beheer/rondes/{round_.id}/telling/achtergrond", data={"csrf_token": token})
    job = newest_job()
    assert response.status_code == 303 and (job.kind, job.status) == ("count", "done")
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun)
                             .where(TallyRun.round_id == round_.id)) == 2
    # Not in the counting phase: refused like the synchronous action (403), no job.
    voting, _district, _p, _ = make_voting_round()
    refused = client.post(f"/beheer/rondes/{voting.id}/telling/achtergrond", data={"csrf_token": token})
    assert refused.status_code == 403 and newest_job().id == job.id


@pytest.mark.parametrize("roles", [("resident",), ("reviewer",), ("moderator",), ("council",)])
def test_only_admins_see_and_start_jobs(app, roles):
    round_, district, _p, _ = make_voting_round()
    admin = client_as(app, "admin")
    start_letters(admin, round_, district, 1)
    job = newest_job()
    client = client_as(app, *roles)
    csrf = token(client)
    for url in ("/beheer/taken", f"/beheer/taken/{job.id}", f"/beheer/taken/{job.id}/bestand"):
        assert client.get(url).status_code == 403, url
    for url in (f"/beheer/rondes/{round_.id}/stemcodes/achtergrond", f"/beheer/taken/{job.id}/bestand/verwijderen",
                f"/beheer/rondes/{round_.id}/telling/achtergrond"):
        assert client.post(url, data={"district": str(district.id), "count": "1", "csrf_token": csrf}
                           ).status_code == 403, url
    assert in_round(VotingCode, round_) == 1
    anonymous = app.test_client()
    assert anonymous.get("/beheer/taken").status_code == 302


class TestThroughRedis:
    """The same jobs through RQ on a real Redis server and a real (burst) worker."""

    @pytest.fixture(autouse=True)
    def _queue(self, app, redis_url, monkeypatch):  # type: ignore[no-untyped-def]
        monkeypatch.setitem(app.config, "JOB_QUEUE_URL", redis_url)
        monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"test-{next(_emails)}")

    def work(self, app) -> None:  # type: ignore[no-untyped-def]
        from rq import SimpleWorker

        from burgerbegroting.jobs.queue import rq_queue

        queue = rq_queue()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)

    def test_job_waits_for_worker_then_finishes(self, app):
        from burgerbegroting.jobs.queue import queue_depth, rq_queue

        round_, district, _p, _ = make_voting_round()
        client = client_as(app, "admin")
        response = start_letters(client, round_, district, 2)
        job = newest_job()
        assert response.status_code == 303 and job.status == "queued"
        assert rq_queue().count == 1 and queue_depth() == 1
        page = html(client.get(f"/beheer/taken/{job.id}"))
        assert 'hx-trigger="every 2s"' in page  # htmx polls while the job is not finished
        assert f'href="/beheer/taken/{job.id}"' in page  # and without JavaScript: a refresh link
        assert in_round(VotingCode, round_) == 0
        self.work(app)
        job = newest_job()
        assert (job.status, job.progress_done, job.progress_total) == ("done", 2, 2)
        assert in_round(VotingCode, round_) == 2 and rq_queue().count == 0
        assert pdf_page_count(client.get(f"/beheer/taken/{job.id}/bestand").data) == 2

    def test_rules_are_asked_again_when_the_job_runs(self, app):
        round_, district, _p, _ = make_voting_round()
        email = f"taken{next(_emails)}@example.org"
        admin = make_user(email, roles=("admin",))
        client = app.test_client()
        login(client, email)
        start_letters(client, round_, district, 2)
        # The admin loses the role before a worker picks the job up.
        db.session.execute(sa.delete(UserRole).where(UserRole.user_id == admin.id))
        db.session.commit()
        self.work(app)
        job = newest_job()
        assert (job.status, job.error) == ("failed", "not_allowed_now")
        assert in_round(VotingCode, round_) == 0

    def test_queue_down_fails_cleanly(self, app, monkeypatch):
        monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "redis://127.0.0.1:1/0")
        round_, district, _p, _ = make_voting_round()
        client = client_as(app, "admin")
        response = start_letters(client, round_, district, 2)
        job = newest_job()
        assert response.status_code == 303 and (job.status, job.error) == ("failed", "queue_unavailable")
        assert in_round(VotingCode, round_) == 0


def test_purge_and_interrupted_jobs(app):
    import datetime as dt

    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.jobs import queue

    now = utcnow()
    old = now - dt.timedelta(hours=app.config["JOB_RESULT_HOURS"] + 1)
    kept = Job(kind="letters", status="done", finished_at=now, result=b"%PDF new", result_name="new.pdf")
    purged = Job(kind="letters", status="done", finished_at=old, result=b"%PDF old", result_name="old.pdf")
    # A worker killed with kill -9: its job stays "running" with nothing stored.
    dead = Job(kind="letters", status="running", created_at=now - dt.timedelta(hours=2), started_at=old)
    alive = Job(kind="letters", status="running", created_at=now - dt.timedelta(minutes=5), started_at=now)
    db.session.add_all([kept, purged, dead, alive])
    db.session.commit()
    assert queue.purge_results(now) == 1 and queue.mark_interrupted(now) == 1
    db.session.commit()
    db.session.expire_all()
    assert (kept.result_name, purged.result_name, purged.result) == ("new.pdf", None, None)
    assert (dead.status, dead.error, alive.status) == ("failed", "interrupted", "running")


def test_an_expired_letters_file_cannot_be_downloaded_even_without_the_cron_purge(app):
    # The page and the operations guide promise the file lives at most JOB_RESULT_HOURS:
    # that must hold when no job was started since and `flask jobs purge` has not run.
    import datetime as dt

    from burgerbegroting.core.timeutil import utcnow

    old = utcnow() - dt.timedelta(hours=app.config["JOB_RESULT_HOURS"] + 1)
    job = Job(kind="letters", status="done", finished_at=old, result=b"%PDF old", result_name="old.pdf",
              result_type="application/pdf")
    db.session.add(job)
    db.session.commit()
    client = client_as(app, "admin")
    assert client.get(f"/beheer/taken/{job.id}/bestand").status_code == 404
    db.session.expire_all()
    assert (job.result, job.result_name) == (None, None)


def test_a_job_that_waited_long_in_the_queue_is_not_interrupted_while_it_runs(app):
    # RQ's time limit counts from the start of the work, not from the queueing: a job that
    # waited behind others and started five minutes ago is alive. Marking it "interrupted,
    # nothing was changed, start it again" would make the admin print a second batch.
    import datetime as dt

    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.jobs import queue

    now = utcnow()
    waited = Job(kind="letters", status="running", created_at=now - dt.timedelta(hours=3),
                 started_at=now - dt.timedelta(minutes=5))
    db.session.add(waited)
    db.session.commit()
    assert queue.mark_interrupted(now) == 0
    db.session.commit()
    db.session.expire_all()
    assert waited.status == "running"


@pytest.mark.parametrize("background", [True, False])
def test_every_district_is_counted_before_the_audit_log_is_locked(app, monkeypatch, background):
    # Storing a tally appends to the audit log, whose (PostgreSQL advisory) lock is held until
    # the transaction ends: stored district by district, a long count of a big round blocked
    # every audited action in the app (moderation, reviews, paper ballots, other rounds).
    from burgerbegroting.core import audit
    from burgerbegroting.results import operations

    events: list[str] = []
    counting, recording = operations.count, audit.record

    def spy_count(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("count")
        return counting(*args, **kwargs)

    def spy_record(*args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("audit")
        return recording(*args, **kwargs)

    round_, _district, _p, _ = make_counting_round(extra_districts=1)
    monkeypatch.setattr(operations, "count", spy_count)
    monkeypatch.setattr(audit, "record", spy_record)
    client = client_as(app, "admin")
    token = csrf_from(html(client.get(f"/beheer/rondes/{round_.slug}/telling")))
    events.clear()
    if background:
        response = client.post(f"/beheer/rondes/{round_.id}/telling/achtergrond", data={"csrf_token": token})
    else:
        response = client.post(f"/beheer/rondes/{round_.slug}/telling", data={"district": "all", "csrf_token": token})
    assert response.status_code == 303
    assert events.count("audit") == 3 and "count" in events
    assert "count" not in events[events.index("audit"):], events


def test_the_page_of_an_expired_letters_job_offers_no_download(app):
    import datetime as dt

    from burgerbegroting.core.timeutil import utcnow

    old = utcnow() - dt.timedelta(hours=app.config["JOB_RESULT_HOURS"] + 1)
    job = Job(kind="letters", status="done", finished_at=old, result=b"%PDF old", result_name="old.pdf",
              result_type="application/pdf")
    db.session.add(job)
    db.session.commit()
    page = html(client_as(app, "admin").get(f"/beheer/taken/{job.id}"))
    assert f"/beheer/taken/{job.id}/bestand\"" not in page
    assert translated(app, "The file has been deleted.", "nl") in page
