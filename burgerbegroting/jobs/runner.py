"""Run one job: in the RQ worker (``flask worker``) or inline when there is no queue."""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.jobs.models import Job
from burgerbegroting.jobs.tasks import TASKS, JobRefused

log = logging.getLogger("burgerbegroting.jobs")


def run_job(job_id: int) -> str:
    """Do job ``job_id`` and record how it went. Never raises: the Job row is the answer.

    Called by RQ with only the id, so it needs an app: the worker started by ``flask worker``
    has one; under a bare ``rq worker`` one is made here."""
    if has_app_context():
        return _in_request(job_id)
    from burgerbegroting.app import create_app

    with create_app().app_context():
        return _in_request(job_id)


def _in_request(job_id: int) -> str:
    # Templates (the letters) use the request's context processors; a worker has no request.
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        return _run(job_id)


def _run(job_id: int) -> str:
    claimed = db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=utcnow()))
    db.session.commit()
    if not getattr(claimed, "rowcount", 0):
        log.warning("Job %d is not waiting to run; skipped", job_id)
        return "skipped"
    job = db.session.get(Job, job_id, populate_existing=True)
    assert job is not None
    started = time.monotonic()

    def progress(done: int, total: int) -> None:
        # Tasks call this only while the session holds no other change (see tasks.py).
        job.progress_done, job.progress_total = done, total
        db.session.commit()

    try:
        result = TASKS[job.kind](job, progress)
        job.status = "done"
        job.result, job.result_name, job.result_type = result.content, result.name, result.content_type
        job.payload_json = None  # register rows (personal data) are kept only until the job ends
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:  # every failure ends as a failed job, never half-written
        db.session.rollback()
        code = exc.code if isinstance(exc, JobRefused) else "failed"
        if isinstance(exc, JobRefused):
            log.warning("Job %d (%s) refused: %s", job_id, job.kind, code)
        else:
            log.exception("Job %d (%s) failed", job_id, job.kind)
        db.session.execute(sa.update(Job).where(Job.id == job_id)
                           .values(status="failed", error=code, finished_at=utcnow(), payload_json=None))
        db.session.commit()
        return "failed"
    log.info("Job %d (%s) done in %.1f s", job_id, job.kind, time.monotonic() - started)
    return "done"
