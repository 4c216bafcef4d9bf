"""The work of each job kind.

Rule for every task: progress is committed only while the session holds no other change,
and the task's own changes (codes, tallies) are flushed at the very end and committed with
the job's "done" in one transaction. A failure anywhere leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from burgerbegroting.auth.models import User
from burgerbegroting.core.permissions import Action, may
from burgerbegroting.extensions import db
from burgerbegroting.jobs.models import Job
from burgerbegroting.processes.models import District, Round
from burgerbegroting.voters.models import RegisterEntry

# Letters rendered per part: progress moves after each part.
LETTERS_PER_PART = 200

Progress = Callable[[int, int], None]


class JobRefused(Exception):
    """The job may not (or can no longer) be done; ``code`` is a key of ``messages.ERRORS``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Result:
    name: str | None = None
    content_type: str | None = None
    content: bytes | None = None


def _round(job: Job) -> Round:
    round_ = db.session.get(Round, job.round_id) if job.round_id is not None else None
    if round_ is None:
        raise JobRefused("gone")
    return round_


def _require(job: Job, action: Action, round_: Round) -> None:
    """The same rule as the synchronous action: the starter's roles and the round's phase,
    asked when the job runs (the phase may have moved on since it was queued)."""
    user = db.session.get(User, job.created_by_id) if job.created_by_id is not None else None
    roles = user.role_names if user is not None and user.is_active else set()
    if not may(roles, action, round_.phase_at()):
        raise JobRefused("not_allowed_now")


def _district(job: Job, round_: Round) -> District:
    district = db.session.get(District, int(job.params["district_id"]))
    if district is None or district.round_id != round_.id:
        raise JobRefused("gone")
    return district


def _letters_in_parts(round_: Round, district: District, items: list[tuple[str, RegisterEntry | None]],
                      progress: Progress) -> bytes:
    """One PDF with a letter per (plain code, register entry or None), rendered
    LETTERS_PER_PART at a time (WeasyPrint's layout of thousands of pages at once takes
    gigabytes); progress moves after each part. Nothing may be pending in the session."""
    from burgerbegroting.voters import letters

    parts = []
    for first in range(0, len(items), LETTERS_PER_PART):
        part = items[first:first + LETTERS_PER_PART]
        parts.append(letters.letters_pdf(round_, district, part))
        progress(first + len(part), len(items))
    return letters.join_pdfs(parts)


def letters(job: Job, progress: Progress) -> Result:
    from burgerbegroting.voters import codes, operations

    round_ = _round(job)
    params = job.params
    district = db.session.get(District, int(params["district_id"]))
    if district is None or district.round_id != round_.id:
        raise JobRefused("gone")
    _require(job, Action.MANAGE_VOTING_CODES, round_)
    count = int(params["count"])
    # The codes exist only in memory and in the PDF until every page is made.
    plains = [codes.generate() for _ in range(count)]
    pdf = _letters_in_parts(round_, district, [(plain, None) for plain in plains], progress)
    round_ = _round(job)
    district = db.session.get(District, int(params["district_id"]))
    if district is None:
        raise JobRefused("gone")
    _require(job, Action.MANAGE_VOTING_CODES, round_)  # voting may have closed while printing
    made = operations.generate_codes(round_, district, count, actor_id=job.created_by_id, plains=plains,
                                     limit=current_app.config["MAX_LETTERS_PER_JOB"])
    return Result(f"stemcodes-{round_.slug}-{district.id}-{made[0][1].batch_no}.pdf", "application/pdf", pdf)


def register_letters(job: Job, progress: Progress) -> Result:
    """Letters for the rows of an uploaded register, checked in the request and kept in the
    job's payload: the same work as the synchronous upload did (entries, codes, audit), but
    stored only when every letter is made, with the job's "done"."""
    from burgerbegroting.voters import codes, operations, register_csv

    round_ = _round(job)
    district = _district(job, round_)
    _require(job, Action.MANAGE_VOTING_CODES, round_)
    payload = job.payload
    if not payload or not payload.get("rows"):
        raise JobRefused("no_register")
    rows = [register_csv.RegisterRow(*row) for row in payload["rows"]]
    # Printed first, with entries that are not in the session (progress commits); stored
    # at the end, in the transaction that marks the job done.
    printed = [RegisterEntry(round_id=round_.id, district_id=district.id, name=r.name, street=r.street,
                             postcode=r.postcode, city=r.city) for r in rows]
    plains = [codes.generate() for _ in rows]
    pdf = _letters_in_parts(round_, district, list(zip(plains, printed, strict=True)), progress)
    round_ = _round(job)
    district = _district(job, round_)
    _require(job, Action.MANAGE_VOTING_CODES, round_)  # voting may have closed while printing
    entries = operations.add_register_entries(round_, district, rows)
    made = operations.generate_codes(round_, district, len(entries), actor_id=job.created_by_id, entries=entries,
                                     plains=plains, limit=current_app.config["MAX_LETTERS_PER_JOB"])
    return Result(f"stemcodes-{round_.slug}-{district.id}-{made[0][1].batch_no}.pdf", "application/pdf", pdf)


def count(job: Job, progress: Progress) -> Result:
    from burgerbegroting.results import operations

    round_ = _round(job)
    _require(job, Action.RUN_COUNT, round_)
    districts = sorted(round_.districts, key=lambda d: d.id)
    progress(0, len(districts))
    try:
        # Every district is counted before anything is stored: storing a tally takes the audit
        # log's lock until the job's transaction ends (see operations.count_district).
        counted = []
        for done, district in enumerate(districts, start=1):
            counted.append(operations.count_district(round_, district))
            progress(done, len(districts))  # nothing else is pending in the session yet
    except operations.NotCounting as exc:
        raise JobRefused("not_counting") from exc
    for item in counted:
        operations.store_count(round_, item, job.created_by_id)
    return Result()


TASKS: dict[str, Callable[[Job, Progress], Result]] = {
    "letters": letters, "count": count, "register_letters": register_letters}
