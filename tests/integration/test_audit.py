"""The hash-chained audit log: appending, verifying, and detecting tampering."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from burgerbegroting.core import audit
from burgerbegroting.core.audit import GENESIS, AuditEvent
from burgerbegroting.extensions import db


def chain(n: int = 3) -> list[AuditEvent]:
    made = [audit.record(7, f"action_{i}", f"user:{i}", {"i": i, "note": "ä"}) for i in range(1, n + 1)]
    db.session.commit()
    return made


def tamper(which: int, **values: object) -> None:
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == which).values(**values))
    db.session.commit()
    db.session.expire_all()


def test_an_empty_log_is_intact(app) -> None:  # type: ignore[no-untyped-def]
    assert audit.verify() == (True, 0, "ok")


def test_record_links_every_event_to_the_one_before(app) -> None:  # type: ignore[no-untyped-def]
    first, second, third = chain()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    for event in (first, second, third):
        assert event.hash == event.compute_hash()
        assert len(event.hash) == 64
        assert event.created_at.tzinfo is not None
    assert json.loads(first.payload) == {"i": 1, "note": "ä"}
    assert first.payload == '{"i": 1, "note": "ä"}'  # sorted keys, readable text


def test_record_without_actor_or_payload(app) -> None:  # type: ignore[no-untyped-def]
    event = audit.record(None, "demo_seeded", "site")
    db.session.commit()
    assert event.actor_id is None
    assert event.payload == "{}"
    assert audit.verify() == (True, 1, "ok")


def test_verify_an_intact_chain(app) -> None:  # type: ignore[no-untyped-def]
    chain(5)
    assert audit.verify() == (True, 5, "ok")


def test_the_hash_survives_the_database_round_trip(app) -> None:  # type: ignore[no-untyped-def]
    chain(2)
    db.session.expire_all()  # read back: created_at comes from the database now
    for event in db.session.scalars(sa.select(AuditEvent)):
        assert event.hash == event.compute_hash()


def test_a_changed_payload_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    chain()
    tamper(2, payload='{"i": 99}')
    assert audit.verify() == (False, 1, "event 2 was changed after it was written")


def test_a_changed_actor_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    chain()
    tamper(1, actor_id=8)
    ok, checked, message = audit.verify()
    assert (ok, checked) == (False, 0)
    assert "event 1" in message


def test_a_changed_time_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    events = chain()
    tamper(3, created_at=events[2].created_at - dt.timedelta(hours=1))
    assert audit.verify() == (False, 2, "event 3 was changed after it was written")


def test_a_deleted_event_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    chain(4)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 2))
    db.session.commit()
    assert audit.verify() == (False, 1, "event 2 is missing (found 3)")


def test_deleting_the_first_event_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    chain(2)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 1))
    db.session.commit()
    ok, checked, _message = audit.verify()
    assert (ok, checked) == (False, 0)


def test_renumbering_after_a_deletion_is_detected(app) -> None:  # type: ignore[no-untyped-def]
    chain(3)
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 2))
    tamper(3, seq=2)
    assert audit.verify() == (False, 1, "event 2 does not follow event 1")


def test_a_rewritten_event_with_a_fresh_hash_breaks_the_next_link(app) -> None:  # type: ignore[no-untyped-def]
    """A forger who recomputes the changed event's own hash still breaks the chain."""
    chain(3)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == 2)).one()
    event.payload = '{"i": 2, "note": "changed"}'
    event.hash = event.compute_hash()
    db.session.commit()
    assert audit.verify() == (False, 2, "event 3 does not follow event 2")


def test_appending_after_a_check_continues_the_chain(app) -> None:  # type: ignore[no-untyped-def]
    chain(2)
    assert audit.verify()[0]
    event = audit.record(1, "later", "user:1")
    db.session.commit()
    assert event.seq == 3
    assert audit.verify() == (True, 3, "ok")


def test_hash_and_sequence_are_unique_in_the_database(app) -> None:  # type: ignore[no-untyped-def]
    first, _second = chain(2)
    copy = AuditEvent(seq=first.seq, created_at=first.created_at, actor_id=None, action="x", target="y",
                      payload="{}", prev_hash=GENESIS, hash="f" * 64)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(copy)
        db.session.flush()
