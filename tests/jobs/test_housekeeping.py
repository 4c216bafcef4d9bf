"""The worker's own housekeeping: shuffling the ballot table while a round votes or counts
(nobody has to remember a cron job for ballot secrecy), deleting old job results, and the
next tick scheduled once per time slot, whoever asks."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from burgerbegroting.ballots import operations as ballots
from burgerbegroting.ballots.models import Ballot
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.jobs import housekeeping
from burgerbegroting.jobs.models import Job
from tests.voting.conftest import cast_some

_names = itertools.count()


def _keys() -> dict[str, int]:
    db.session.expire_all()
    return {row.id: row.shuffle_key for row in db.session.execute(sa.select(Ballot.id, Ballot.shuffle_key))}


def test_shuffles_while_a_round_votes(app):
    cast_some(6)
    before = _keys()
    summary = housekeeping.run()
    after = _keys()
    assert "6 ballots shuffled" in summary
    assert set(after) == set(before) and sum(after[i] != before[i] for i in before) >= 5


@pytest.mark.parametrize("days", [-30, 30])
def test_leaves_the_table_alone_before_and_after_voting(app, days):
    round_ = cast_some(3)
    before = _keys()
    # the whole round's calendar moved: voting has not begun yet, or results are long out
    summary = housekeeping.run(utcnow() + dt.timedelta(days=days))
    assert "shuffled" not in summary
    assert _keys() == before
    assert round_.phase_at(utcnow() + dt.timedelta(days=days)) not in housekeeping.SHUFFLE_PHASES


def test_deletes_old_results_and_marks_dead_jobs(app):
    now = utcnow()
    old = now - dt.timedelta(hours=app.config["JOB_RESULT_HOURS"] + 1)
    purged = Job(kind="letters", status="done", finished_at=old, result=b"%PDF old", result_name="old.pdf")
    dead = Job(kind="letters", status="running", created_at=now - dt.timedelta(hours=2), started_at=old)
    db.session.add_all([purged, dead])
    db.session.commit()
    assert "1 result files deleted, 1 jobs interrupted" in housekeeping.run(now)
    db.session.expire_all()
    assert (purged.result, purged.result_name) == (None, None)
    assert (dead.status, dead.error) == ("failed", "interrupted")


def test_a_busy_ballot_table_is_skipped_not_waited_for(app, monkeypatch):
    cast_some(2)
    before = _keys()

    def busy() -> int:
        raise sa.exc.OperationalError("CLUSTER", {}, Exception("lock timeout"))

    monkeypatch.setattr(ballots, "shuffle_ballots", busy)
    assert "0 ballots shuffled" in housekeeping.run()
    assert _keys() == before


def test_without_a_queue_nothing_is_scheduled(app):
    assert app.config["JOB_QUEUE_URL"] == ""
    assert housekeeping.schedule(utcnow()) is None


class TestWithRedis:
    @pytest.fixture(autouse=True)
    def _queue(self, app, redis_url, monkeypatch):  # type: ignore[no-untyped-def]
        monkeypatch.setitem(app.config, "JOB_QUEUE_URL", redis_url)
        monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"house-{next(_names)}")

    def _scheduled(self) -> list[str]:
        from rq.registry import ScheduledJobRegistry

        from burgerbegroting.jobs.queue import rq_queue

        queue = rq_queue()
        return list(ScheduledJobRegistry(queue=queue).get_job_ids())

    def test_each_slot_is_scheduled_once_whoever_asks(self, app):
        now = utcnow()
        first = housekeeping.schedule(now)
        # a second worker starting, and a tick of the same slot, ask again
        assert housekeeping.schedule(now + dt.timedelta(seconds=1)) == first
        housekeeping.run(now)
        assert self._scheduled() == [first] == [f"housekeeping-{housekeeping.slot_of(now) + 1}"]
        # the next slot gets its own tick
        later = now + dt.timedelta(minutes=app.config["HOUSEKEEPING_MINUTES"])
        housekeeping.run(later)
        assert sorted(self._scheduled()) == sorted([first, f"housekeeping-{housekeeping.slot_of(later) + 1}"])

    def test_a_worker_runs_a_due_tick_and_it_shuffles(self, app):
        from rq import SimpleWorker

        from burgerbegroting.jobs.queue import rq_queue

        cast_some(4)
        before = _keys()
        queue = rq_queue()
        queue.enqueue("burgerbegroting.jobs.housekeeping.tick")  # as the scheduler does when it is due
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        after = _keys()
        assert sum(after[i] != before[i] for i in before) >= 3
        assert len(self._scheduled()) == 1  # and the tick booked the next one
