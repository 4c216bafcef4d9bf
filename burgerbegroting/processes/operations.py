"""Configuring rounds: settings, schedule, districts and moving phases by hand.

Operations change objects and flush; the caller commits. They send signals (the audit log
listens) and they enforce the rule lock before the database has to: once voting has started,
what the vote depends on cannot change (``RuleLocked``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from burgerbegroting.core import signals
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes.district_csv import DistrictRow
from burgerbegroting.processes.models import District, Round, RoundPhase
from burgerbegroting.processes.phases import ORDER, Phase, ScheduleError, Window, validate_schedule
from burgerbegroting.processes.postcodes import normalise_ranges

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What the vote depends on (frozen by the rule lock, in the database as well).
LOCKED_SETTINGS = ("decision", "ballot_type", "counting_rule", "min_choices", "max_choices", "points_total")


class RuleLocked(Exception):
    """Voting has started: ``what`` (settings names, "districts", "schedule") can no longer change."""

    def __init__(self, what: Iterable[str]):
        self.what = sorted(set(what))
        super().__init__(", ".join(self.what))


class SlugTaken(Exception):
    pass


class DuplicateDistrict(Exception):
    pass


class PhaseChangeImpossible(Exception):
    """There is no next phase to open (the round is closed) or nothing to close."""


@dataclass
class RoundSettings:
    name: str
    slug: str
    description: str = ""
    decision: str = "vote"
    ballot_type: str = "approval"
    counting_rule: str = "equal-shares-add1"
    min_choices: int = 1
    max_choices: int | None = None
    points_total: int | None = None
    eligibility: str = "postcode"
    min_age: int | None = None
    min_supporters: int = 0
    four_eyes: bool = False
    comments_enabled: bool = True

    @classmethod
    def of(cls, round_: Round) -> RoundSettings:
        return cls(**{name: getattr(round_, name) for name in cls.__dataclass_fields__})


def slugify(text: str) -> str:
    """"Wijk- en dorpsbudgetten 2027" → "wijk-en-dorpsbudgetten-2027"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def slug_available(slug: str, except_id: int | None = None) -> bool:
    query = sa.select(Round.id).where(Round.slug == slug)
    if except_id is not None:
        query = query.where(Round.id != except_id)
    return db.session.scalars(query).first() is None


def _check_lock(round_: Round, what: Iterable[str], now: dt.datetime | None) -> None:
    what = list(what)
    if what and round_.rule_locked(now):
        raise RuleLocked(what)


def create_round(settings: RoundSettings, actor_id: int | None) -> Round:
    if not slug_available(settings.slug):
        raise SlugTaken(settings.slug)
    round_ = Round(**asdict(settings))
    db.session.add(round_)
    db.session.flush()
    signals.round_created.send(round_, actor_id=actor_id, settings=asdict(settings))
    return round_


def update_round(round_: Round, settings: RoundSettings, actor_id: int | None,
                 now: dt.datetime | None = None) -> dict[str, object]:
    """Apply ``settings``; returns what changed. Refuses locked settings after voting opened."""
    before = asdict(RoundSettings.of(round_))
    after = asdict(settings)
    changes = {k: after[k] for k in after if after[k] != before[k]}
    _check_lock(round_, (k for k in changes if k in LOCKED_SETTINGS), now)
    if "slug" in changes and not slug_available(settings.slug, round_.id):
        raise SlugTaken(settings.slug)
    if not changes:
        return changes
    for key, value in changes.items():
        setattr(round_, key, value)
    db.session.flush()
    signals.round_updated.send(round_, actor_id=actor_id, changes=changes)
    return changes


def set_schedule(round_: Round, wanted: Mapping[Phase, tuple[dt.datetime, dt.datetime]], actor_id: int | None,
                 now: dt.datetime | None = None) -> bool:
    """Replace the phase windows with ``wanted``. ``ScheduleError`` maps each phase to a
    problem: the schedule's own (order, overlap, end before start) and "already_started"
    (a window that has begun keeps its start), "voting_start_now" (voting opens through the
    phase control, with a reason, not by a date in the past). Returns whether anything changed."""
    now = now or utcnow()
    windows = [Window(phase, start, end) for phase, (start, end) in wanted.items()]
    problems: dict[Phase, str] = {}
    try:
        validate_schedule(windows)
    except ScheduleError as exc:
        problems.update(exc.problems)
    current = {Phase(p.phase): p for p in round_.phases}
    for phase, existing in current.items():
        if existing.starts_at <= now and (phase not in wanted or wanted[phase][0] != existing.starts_at):
            problems.setdefault(phase, "already_started")
    for phase, (start, _end) in wanted.items():
        started = phase in current and current[phase].starts_at <= now
        if phase == Phase.VOTING and not started and start <= now:
            problems.setdefault(phase, "voting_start_now")
    if problems:
        raise ScheduleError(problems)
    changes: dict[str, object] = {}
    for phase, existing in list(current.items()):
        if phase not in wanted:
            round_.phases.remove(existing)
            changes[phase.value] = None
    for phase, (start, end) in wanted.items():
        window = current.get(phase)
        if window is None:
            round_.phases.append(RoundPhase(phase=phase.value, starts_at=start, ends_at=end))
        elif (window.starts_at, window.ends_at) != (start, end):
            window.starts_at, window.ends_at = start, end
        else:
            continue
        changes[phase.value] = [start.isoformat(), end.isoformat()]
    if not changes:
        return False
    db.session.flush()
    db.session.expire(round_, ["phases"])
    signals.round_updated.send(round_, actor_id=actor_id, changes={"schedule": changes})
    return True


def next_phase(round_: Round, now: dt.datetime | None = None) -> Phase | None:
    """The enabled phase after the current one, or None when the current one is the last."""
    current = round_.phase_at(now)
    enabled = sorted((Phase(p.phase) for p in round_.phases), key=ORDER.index)
    later = [p for p in enabled if ORDER.index(p) > ORDER.index(current)]
    return later[0] if later else None


def change_phase_now(round_: Round, reason: str, actor_id: int | None, now: dt.datetime | None = None) -> Phase:
    """End the current phase now and start the next enabled one now (its end stays), or,
    from the last phase, close the round now. Returns the phase the round is in afterwards.

    Closing a phase early always opens the next one: a round is never between phases."""
    now = now or utcnow()
    before = round_.phase_at(now)
    if before == Phase.CLOSED:
        raise PhaseChangeImpossible(before)
    target = next_phase(round_, now)
    if target is not None:
        window = round_.window(target)
        assert window is not None
        window.starts_at = now
    if before != Phase.DRAFT:
        current = round_.window(before)
        assert current is not None
        if current.ends_at > now:
            current.ends_at = now
    db.session.flush()
    db.session.expire(round_, ["phases"])
    after = round_.phase_at(now)
    signals.phase_changed.send(round_, actor_id=actor_id, from_phase=before.value, to_phase=after.value,
                               reason=reason, at=now.isoformat())
    return after


def _check_district_lock(round_: Round, now: dt.datetime | None) -> None:
    _check_lock(round_, ["districts"], now)


def _name_taken(round_: Round, name: str, except_id: int | None = None) -> bool:
    return any(d.name.casefold() == name.casefold() and d.id != except_id for d in round_.districts)


def add_district(round_: Round, name: str, kind: str, budget_cents: int, postcodes: str, actor_id: int | None,
                 now: dt.datetime | None = None) -> District:
    _check_district_lock(round_, now)
    if _name_taken(round_, name):
        raise DuplicateDistrict(name)
    district = District(name=name, kind=kind, budget_cents=budget_cents, postcodes=normalise_ranges(postcodes))
    round_.districts.append(district)
    db.session.flush()
    signals.round_updated.send(round_, actor_id=actor_id, changes={
        "district_added": {"name": name, "kind": kind, "budget_cents": budget_cents, "postcodes": district.postcodes}})
    return district


def update_district(district: District, name: str, kind: str, budget_cents: int, postcodes: str,
                    actor_id: int | None, now: dt.datetime | None = None) -> None:
    round_ = district.round
    _check_district_lock(round_, now)
    if _name_taken(round_, name, district.id):
        raise DuplicateDistrict(name)
    new = {"name": name, "kind": kind, "budget_cents": budget_cents, "postcodes": normalise_ranges(postcodes)}
    changes = {k: v for k, v in new.items() if getattr(district, k) != v}
    if not changes:
        return
    for key, value in changes.items():
        setattr(district, key, value)
    db.session.flush()
    signals.round_updated.send(round_, actor_id=actor_id, changes={"district_changed": {"id": district.id, **changes}})


def remove_district(district: District, actor_id: int | None, now: dt.datetime | None = None) -> None:
    round_ = district.round
    _check_district_lock(round_, now)
    name = district.name
    round_.districts.remove(district)
    db.session.flush()
    signals.round_updated.send(round_, actor_id=actor_id, changes={"district_removed": name})


def import_districts(round_: Round, rows: list[DistrictRow], actor_id: int | None, encoding: str = "",
                     now: dt.datetime | None = None) -> list[District]:
    """Add every row as a district, all or nothing (the caller commits or rolls back)."""
    _check_district_lock(round_, now)
    clashes = [r.name for r in rows if _name_taken(round_, r.name)]
    if clashes:
        raise DuplicateDistrict(", ".join(clashes))
    added = [District(name=r.name, kind=r.kind, budget_cents=r.budget_cents, postcodes=r.postcodes) for r in rows]
    round_.districts.extend(added)
    db.session.flush()
    signals.districts_imported.send(round_, actor_id=actor_id, count=len(added), encoding=encoding,
                                    names=[d.name for d in added],
                                    total_budget_cents=sum(d.budget_cents for d in added))
    return added

