"""Housekeeping that the worker does by itself, every ``HOUSEKEEPING_MINUTES``:

* while a round is voting or counting, shuffle the ballot table (ballot secrecy: see
  ``ballots.operations.shuffle_ballots``), so that no operator has to remember a cron job;
* delete old job results (letters PDFs hold plain codes) and mark jobs whose worker died.

``flask worker`` schedules the first tick and every tick schedules the next one. An RQ job's id
names its time slot, so several workers, or a worker that restarts, schedule each tick once.
Without a queue (``JOB_QUEUE_URL`` empty) there is no worker: run the CLI commands from cron
(docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from flask import current_app, has_app_context

from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import Round
from burgerbegroting.processes.phases import Phase

log = logging.getLogger("burgerbegroting.jobs")

SHUFFLE_PHASES = frozenset({Phase.VOTING, Phase.COUNTING})


def tick() -> str:
    """The RQ entry point (``flask worker`` has an app; a bare ``rq worker`` gets one here)."""
    if has_app_context():
        return run()
    from burgerbegroting.app import create_app

    with create_app().app_context():
        return run()


def run(now: dt.datetime | None = None) -> str:
    """One round of housekeeping, then schedule the next. Returns what was done, for the log."""
    from burgerbegroting.jobs import queue

    now = now or utcnow()
    done = []
    try:
        if shuffle_needed(now):
            done.append(f"{shuffle()} ballots shuffled")
        removed, interrupted = queue.purge_results(now), queue.mark_interrupted(now)
        db.session.commit()
        done.append(f"{removed} result files deleted, {interrupted} jobs interrupted")
    finally:
        schedule(now)  # also after a failure: the next tick tries again
    summary = "; ".join(done)
    log.info("housekeeping: %s", summary)
    return summary


def shuffle_needed(now: dt.datetime) -> bool:
    rounds = db.session.scalars(sa.select(Round)).all()
    return any(r.decision == "vote" and r.phase_at(now) in SHUFFLE_PHASES for r in rounds)


def shuffle() -> int:
    """Shuffle in its own transaction. On PostgreSQL it waits at most a few seconds for the
    table lock (voters' casts hold it briefly); if it cannot get it, the next tick tries again,
    rather than making a queue of voters wait behind it."""
    from burgerbegroting.ballots.operations import shuffle_ballots

    if db.session.get_bind().dialect.name == "postgresql":
        seconds = int(current_app.config["HOUSEKEEPING_LOCK_SECONDS"])
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = '{seconds}s'"))
    try:
        count = shuffle_ballots()
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        log.warning("housekeeping: the ballot table was busy; shuffling at the next tick")
        return 0
    return count


def _period() -> int:
    """Seconds between ticks (at least a minute)."""
    return 60 * max(1, int(current_app.config["HOUSEKEEPING_MINUTES"]))


def slot_of(now: dt.datetime) -> int:
    return int(now.timestamp()) // _period()


def schedule(now: dt.datetime) -> str | None:
    """Put the tick of the next time slot in RQ's schedule (once, whoever asks). None without a queue."""
    from burgerbegroting.jobs import queue

    if not queue.queue_url():
        return None
    slot = slot_of(now) + 1
    at = dt.datetime.fromtimestamp(slot * _period(), dt.UTC)
    job_id = f"housekeeping-{slot}"
    try:
        queue.rq_queue().enqueue_at(at, "burgerbegroting.jobs.housekeeping.tick", job_id=job_id,
                                    result_ttl=3600, failure_ttl=24 * 3600,
                                    job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"])
    except Exception as exc:  # Redis down: the worker itself cannot run either; it logs why
        log.warning("housekeeping: next tick not scheduled: %s", type(exc).__name__)
        return None
    return job_id
