"""The Job table: what was started, by whom, how far it is, and its result file."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from burgerbegroting.core.timeutil import UTCDateTime, utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.models import _in

JOB_KINDS = ("letters", "count", "register_letters")
JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):  # type: ignore[name-defined,misc]
    """One background job. ``params_json`` holds ids and numbers only, never personal data.

    ``payload_json`` is the exception, and only while the job waits or runs: the checked rows
    of an uploaded register (names and addresses) for "register_letters". It is cleared when
    the job is done or failed, and by ``flask jobs purge`` (``queue.purge_results``).

    ``error`` is a short code (see ``jobs.messages``) that the page turns into a message for
    the admin; the technical details go to the log. ``result`` is the finished file (the
    letters PDF holds plain voting codes: it is deleted after ``JOB_RESULT_HOURS`` or when the
    admin deletes it).
    """

    __tablename__ = "background_job"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", JOB_KINDS), name="known_kind"),
        sa.CheckConstraint(_in("status", JOB_STATUSES), name="known_status"),
        sa.CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_not_negative"),
        sa.Index("ix_background_job_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_round.id", ondelete="CASCADE"), index=True)
    params_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    payload_json: Mapped[str | None] = deferred(mapped_column(sa.Text))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.String(40))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_type: Mapped[str | None] = mapped_column(sa.String(100))
    result: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.params_json or "{}")

    @property
    def payload(self) -> Any:
        return json.loads(self.payload_json) if self.payload_json else None

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def has_result(self) -> bool:
        return self.status == "done" and self.result_name is not None
