"""Round operations: settings, schedule, districts, phase control, rule lock (app + database)."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.core.timeutil import utcnow
from burgerbegroting.extensions import db
from burgerbegroting.processes import operations as ops
from burgerbegroting.processes.district_csv import parse_districts_csv
from burgerbegroting.processes.models import District, Round
from burgerbegroting.processes.phases import Phase, ScheduleError
from tests.conftest import count
from tests.processes.conftest import DAY, make_round, phase_of


def audit_actions():
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq))
    return [(e.action, json.loads(e.payload)) for e in events]


def test_create_and_update_round_are_audited(app):
    round_ = ops.create_round(ops.RoundSettings(name="Dorpsbudget", slug="dorpsbudget"), actor_id=7)
    assert round_.id and round_.ballot_type == "approval"
    with pytest.raises(ops.SlugTaken):
        ops.create_round(ops.RoundSettings(name="Anders", slug="dorpsbudget"), actor_id=7)
    settings = ops.RoundSettings.of(round_)
    settings.max_choices = 5
    assert ops.update_round(round_, settings, actor_id=7) == {"max_choices": 5}
    assert ops.update_round(round_, settings, actor_id=7) == {}
    actions = audit_actions()
    assert [a for a, _ in actions] == ["round_created", "round_updated"]
    assert actions[1][1] == {"max_choices": 5}


def test_slugify():
    assert ops.slugify("Wijk- en dorpsbudgetten 2027!") == "wijk-en-dorpsbudgetten-2027"
    assert ops.slugify("Café Île") == "cafe-ile"
    assert ops.slugify("€€€") == ""


def test_schedule_validation_problems_per_phase(app):
    round_ = make_round(voting_in_days=30)
    now = utcnow()
    wanted = {Phase.IDEAS: (now + DAY, now + 5 * DAY),
              Phase.REVIEW: (now + 4 * DAY, now + 3 * DAY),
              Phase.VOTING: (now + 2 * DAY, now + 9 * DAY)}
    with pytest.raises(ScheduleError) as info:
        ops.set_schedule(round_, wanted, actor_id=1)
    assert info.value.problems == {Phase.REVIEW: "ends_before_start"}
    wanted[Phase.REVIEW] = (now + 4 * DAY, now + 6 * DAY)
    with pytest.raises(ScheduleError) as info:
        ops.set_schedule(round_, wanted, actor_id=1)
    assert info.value.problems == {Phase.REVIEW: "overlaps_previous"}


def test_started_window_keeps_its_start_and_voting_cannot_open_by_date(app):
    round_ = make_round(voting_in_days=5)  # ideas over, review running
    now = utcnow()
    review = round_.window(Phase.REVIEW)
    with pytest.raises(ScheduleError) as info:
        ops.set_schedule(round_, {Phase.REVIEW: (review.starts_at + DAY, now - 2 * DAY),
                                  Phase.VOTING: (now - DAY, now + 9 * DAY)}, actor_id=1)
    assert info.value.problems[Phase.IDEAS] == "already_started"
    assert info.value.problems[Phase.REVIEW] == "already_started"
    assert info.value.problems[Phase.VOTING] == "voting_start_now"
    # Moving a future end and start is fine, and audited.
    assert ops.set_schedule(round_, {
        Phase.IDEAS: (round_.window(Phase.IDEAS).starts_at, round_.window(Phase.IDEAS).ends_at),
        Phase.REVIEW: (review.starts_at, now + 8 * DAY),
        Phase.VOTING: (now + 8 * DAY, now + 15 * DAY)}, actor_id=1)
    db.session.commit()
    assert [p.phase for p in round_.phases] == ["ideas", "review", "voting"]
    assert round_.window(Phase.VOTING).ends_at == now + 15 * DAY
    assert audit_actions()[-1][0] == "round_updated"


def test_open_next_phase_now_shortens_the_current_one_and_is_audited(app):
    round_ = make_round(voting_in_days=3)
    assert phase_of(round_) == Phase.REVIEW
    now = utcnow()
    voting_end = round_.window(Phase.VOTING).ends_at
    assert ops.change_phase_now(round_, "Alle plannen zijn getoetst.", actor_id=4, now=now) == Phase.VOTING
    db.session.commit()
    assert round_.window(Phase.REVIEW).ends_at == now
    assert round_.window(Phase.VOTING).starts_at == now
    assert round_.window(Phase.VOTING).ends_at == voting_end
    assert round_.rule_locked()
    action, payload = audit_actions()[-1]
    assert action == "phase_changed"
    assert payload["from_phase"] == "review" and payload["to_phase"] == "voting"
    assert payload["reason"] == "Alle plannen zijn getoetst."


def test_closing_the_last_phase_closes_the_round(app):
    round_ = make_round(voting_in_days=-50)  # in results, the last phase
    assert phase_of(round_) == Phase.RESULTS
    assert ops.next_phase(round_) is None
    assert ops.change_phase_now(round_, "Klaar.", actor_id=4) == Phase.CLOSED
    db.session.commit()
    with pytest.raises(ops.PhaseChangeImpossible):
        ops.change_phase_now(round_, "Nog eens.", actor_id=4)


def test_draft_round_opens_its_first_phase(app):
    round_ = make_round(voting_in_days=40)  # ideas start in 20 days: draft
    assert phase_of(round_) == Phase.DRAFT
    assert ops.change_phase_now(round_, "Vroeg beginnen.", actor_id=4) == Phase.IDEAS


def test_district_operations_and_import(app):
    round_ = make_round(districts=1)
    district = ops.add_district(round_, "Kerkbuurt", "wijk", 5_000_00, "9906ab-9906zz", actor_id=1)
    assert district.postcodes == "9906AB-9906ZZ"
    with pytest.raises(ops.DuplicateDistrict):
        ops.add_district(round_, "kerkbuurt", "dorp", 100, "", actor_id=1)
    ops.update_district(district, "Kerkbuurt", "kern", 6_000_00, "9906", actor_id=1)
    assert (district.kind, district.budget_cents) == ("kern", 6_000_00)
    parsed = parse_districts_csv(b"name;kind;budget;postcodes\nA;dorp;1000;9901\nB;kern;2000;9902\n")
    ops.import_districts(round_, parsed.rows, actor_id=1, encoding=parsed.encoding)
    db.session.commit()
    assert sorted(d.name for d in round_.districts) == ["A", "B", "Kerkbuurt", "Wijk 1"]
    ops.remove_district(district, actor_id=1)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(District.round_id == round_.id)) == 3
    actions = [a for a, _ in audit_actions()]
    assert actions == ["round_updated", "round_updated", "districts_imported", "round_updated"]
    assert audit_actions()[2][1]["count"] == 2


def test_operations_refuse_first_when_voting_has_started(app):
    round_ = make_round(voting_in_days=-1, ballot_type="approval")
    district = round_.districts[0]
    settings = ops.RoundSettings.of(round_)
    settings.ballot_type = "knapsack"
    settings.description = "nieuw"
    with pytest.raises(ops.RuleLocked) as info:
        ops.update_round(round_, settings, actor_id=1)
    assert info.value.what == ["ballot_type"]
    assert round_.ballot_type == "approval" and round_.description == ""
    with pytest.raises(ops.RuleLocked):
        ops.add_district(round_, "Nieuw", "wijk", 100, "", actor_id=1)
    with pytest.raises(ops.RuleLocked):
        ops.update_district(district, district.name, district.kind, 1, "", actor_id=1)
    with pytest.raises(ops.RuleLocked):
        ops.remove_district(district, actor_id=1)
    with pytest.raises(ops.RuleLocked):
        ops.import_districts(round_, [], actor_id=1)
    # Not locked: name and description.
    settings.ballot_type = "approval"
    assert ops.update_round(round_, settings, actor_id=1) == {"description": "nieuw"}
    assert count(AuditEvent) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE budget_round SET ballot_type = 'knapsack' WHERE id = :rid",
    "UPDATE budget_round SET counting_rule = 'greedy' WHERE id = :rid",
    "UPDATE budget_round SET max_choices = 3 WHERE id = :rid",
    "UPDATE district SET budget_cents = budget_cents + 1 WHERE round_id = :rid",
    "DELETE FROM district WHERE round_id = :rid",
    "INSERT INTO district (round_id, name, kind, budget_cents, postcodes) VALUES (:rid, 'X', 'wijk', 1, '')",
    "UPDATE round_phase SET starts_at = :later WHERE round_id = :rid AND phase = 'voting'",
])
def test_database_refuses_direct_changes_after_voting_started(app, statement):
    round_ = make_round(voting_in_days=-1)
    rid = round_.id
    later = utcnow() + dt.timedelta(days=1)
    if db.session.get_bind().dialect.name == "sqlite":
        later = later.replace(tzinfo=None)
    with pytest.raises(sa.exc.DBAPIError, match="rule lock"), db.session.begin_nested():
        db.session.execute(sa.text(statement), {"rid": rid, "later": later})
    db.session.expire_all()
    fresh = db.session.get(Round, rid)
    assert fresh.ballot_type == "approval" and fresh.counting_rule == "equal-shares-add1"
    assert sorted(d.budget_cents for d in fresh.districts) == [10_000_00, 20_000_00]


def test_database_allows_the_same_changes_before_voting(app):
    round_ = make_round(voting_in_days=2)
    db.session.execute(sa.text("UPDATE budget_round SET ballot_type = 'knapsack' WHERE id = :rid"), {"rid": round_.id})
    db.session.execute(sa.text("UPDATE district SET budget_cents = 5 WHERE round_id = :rid"), {"rid": round_.id})
    db.session.expire_all()
    assert db.session.get(Round, round_.id).ballot_type == "knapsack"


def test_opening_voting_now_then_the_database_holds_the_budget(app):
    round_ = make_round(voting_in_days=3)
    ops.change_phase_now(round_, "Start stemmen.", actor_id=1)
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError, match="rule lock"), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE district SET budget_cents = 1 WHERE round_id = :rid"),
                           {"rid": round_.id})


def test_demo_rounds_cover_every_public_phase_and_are_idempotent(app):
    from burgerbegroting import demo
    from burgerbegroting.processes.demo import seed_demo

    now = utcnow()
    demo.seed(now)
    seed_demo(now)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Round))
    rounds = seed_demo(now)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == before
    phases = {r.slug: r.phase_at(now + dt.timedelta(hours=1)).value for r in rounds}
    assert {"ideas", "review", "voting", "results", "implementation"} <= set(phases.values())
    panel = next(r for r in rounds if r.slug == "initiatievenpotje-2026")
    assert panel.decision == "panel" and phases[panel.slug] == "voting"
    assert next(r for r in rounds if r.slug == "wijkbudgetten-2027").ballot_type == "knapsack"
