"""An append-only, hash-chained log of staff actions.

Each event stores the hash of the one before it, so removing or changing an event breaks the
chain, which ``flask audit verify`` detects. Someone with write access to the database could
rebuild the whole chain; a hash noted outside the database (``verify --anchor SEQ:HASH``)
catches that too. Appends are serialised (a PostgreSQL advisory
lock, plus a unique sequence number) so concurrent requests cannot fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db

GENESIS = "0" * 64
_LOCK_ID = 7_265_001  # arbitrary, fixed: "audit chain" advisory lock


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A copy of the actor's e-mail is not kept: the id is enough and erasable users stay
    # traceable only as a number.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    action: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str] = mapped_column(sa.String(200))
    payload: Mapped[str] = mapped_column(sa.Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    def compute_hash(self) -> str:
        body = json.dumps(
            {
                "seq": self.seq,
                "created_at": self.created_at.astimezone(dt.UTC).isoformat(),
                "actor_id": self.actor_id,
                "action": self.action,
                "target": self.target,
                "payload": self.payload,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(body.encode()).hexdigest()


def record(actor_id: int | None, action: str, target: str, payload: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the chain (flushes; the caller commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    last = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        created_at=utcnow().replace(microsecond=0),
        actor_id=actor_id,
        action=action,
        target=target,
        payload=json.dumps(payload or {}, sort_keys=True, ensure_ascii=False),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    return event


def head() -> tuple[int, str] | None:
    """The newest event's (seq, hash): note it outside the database to anchor the chain."""
    newest = sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    row = db.session.execute(newest).first()
    return (row.seq, row.hash) if row else None


def event_hash(seq: int) -> str | None:
    return db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == seq))


def verify() -> tuple[bool, int, str]:
    """Walk the chain. Returns (ok, events checked, message)."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)):
        if event.seq != expected_seq:
            return False, count, f"event {expected_seq} is missing (found {event.seq})"
        if event.prev_hash != prev:
            return False, count, f"event {event.seq} does not follow event {event.seq - 1}"
        if event.compute_hash() != event.hash:
            return False, count, f"event {event.seq} was changed after it was written"
        prev = event.hash
        expected_seq += 1
        count += 1
    return True, count, "ok"


def _on_roles_changed(sender: Any, actor_id: int | None, roles: list[str], **_: Any) -> None:
    record(actor_id, "roles_changed", f"user:{sender.id}", {"roles": sorted(roles)})


def _on_staff_created(sender: Any, actor_id: int | None, **_: Any) -> None:
    record(actor_id, "staff_created", f"user:{sender.id}", {"roles": sorted(sender.role_names)})


def _on_user_deleted(sender: Any, user_id: int, **_: Any) -> None:
    record(user_id, "account_deleted", f"user:{user_id}")


def _on_two_factor_enabled(sender: Any, **_: Any) -> None:
    record(sender.id, "two_factor_enabled", f"user:{sender.id}")


def connect_signals() -> None:
    signals.roles_changed.connect(_on_roles_changed)
    signals.staff_created.connect(_on_staff_created)
    signals.user_deleted.connect(_on_user_deleted)
    signals.two_factor_enabled.connect(_on_two_factor_enabled)
    from burgerbegroting.reviews import audit_hooks as review_hooks  # reviews, merges, low support

    review_hooks.connect()
    from burgerbegroting.moderation import audit_hooks as moderation_hooks  # hide/restore/dismiss + mails

    moderation_hooks.connect()
