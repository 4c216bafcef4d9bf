"""Start jobs: store the Job row, then hand it to RQ or run it here and now."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from flask import current_app

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.jobs.models import Job
from burgerbegroting.processes.models import Round


def queue_url() -> str:
    return str(current_app.config.get("JOB_QUEUE_URL") or "")


def rq_queue():  # type: ignore[no-untyped-def]
    """The RQ queue of this app (only when JOB_QUEUE_URL is set)."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(queue_url(), socket_connect_timeout=2, socket_timeout=10)
    return Queue(current_app.config["JOB_QUEUE_NAME"], connection=connection)


def start(kind: str, round_: Round | None, params: dict[str, Any], actor_id: int | None,
          payload: Any = None) -> Job:
    """Store a job and start it. With a queue the job waits for a worker; without one it runs
    now, in this request. Either way the returned Job tells how it went (reload it).

    ``payload``: data the job needs that may be personal (the rows of a register); stored
    with the job until it is done or failed, then cleared."""
    purge_results()
    job = Job(kind=kind, round_id=round_.id if round_ is not None else None, params_json=json.dumps(params),
              payload_json=json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
              if payload is not None else None,
              created_by_id=actor_id, status="queued")
    db.session.add(job)
    db.session.commit()  # the worker must see the row
    job_id = job.id
    if not queue_url():
        from burgerbegroting.jobs.runner import run_job

        run_job(job_id)
    else:
        try:
            rq_queue().enqueue("burgerbegroting.jobs.runner.run_job", job_id,
                               job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
                               result_ttl=3600, failure_ttl=7 * 24 * 3600)
        except Exception as exc:  # any Redis failure: the admin gets a clear answer
            current_app.logger.warning("Job %d not queued: %s", job_id, type(exc).__name__)
            db.session.execute(sa.update(Job).where(Job.id == job_id, Job.status == "queued")
                               .values(status="failed", error="queue_unavailable", finished_at=utcnow(),
                                       payload_json=None))
            db.session.commit()
    fresh = db.session.get(Job, job_id, populate_existing=True)
    assert fresh is not None
    return fresh


def queue_depth() -> int:
    """Jobs waiting for a worker."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(Job.status == "queued")) or 0


def purge_results(now: dt.datetime | None = None) -> int:
    """Delete result files older than JOB_RESULT_HOURS (a letters PDF holds plain codes), and
    the payload (register rows: names and addresses) of every finished job."""
    cutoff = (now or utcnow()) - dt.timedelta(hours=current_app.config["JOB_RESULT_HOURS"])
    result = db.session.execute(
        sa.update(Job).where(Job.finished_at < cutoff, Job.result_name.is_not(None))
        .values(result=None, result_name=None, result_type=None))
    # A finished job clears its own payload; this catches any left behind (a crash between).
    db.session.execute(sa.update(Job).where(Job.status.in_(("done", "failed")), Job.payload_json.is_not(None))
                       .values(payload_json=None))
    return int(getattr(result, "rowcount", 0) or 0)


def mark_interrupted(now: dt.datetime | None = None) -> int:
    """Jobs still 'running' long after their time limit: their worker died (kill -9, a
    restart). Their work was one transaction, so nothing of it was stored."""
    cutoff = (now or utcnow()) - dt.timedelta(seconds=current_app.config["JOB_TIMEOUT_SECONDS"] + 60)
    # A running job's time limit counts from its start (RQ's job_timeout), not from when it
    # was queued: one that waited behind others may still be working.
    result = db.session.execute(
        sa.update(Job).where(Job.status.in_(("queued", "running")),
                             sa.func.coalesce(Job.started_at, Job.created_at) < cutoff)
        .values(status="failed", error="interrupted", finished_at=now or utcnow(), payload_json=None))
    return int(getattr(result, "rowcount", 0) or 0)
