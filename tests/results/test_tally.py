"""Exporting stored ballots, counting them, storing and publishing the tally."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.counting import read_pb
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.results import operations as ops
from burgerbegroting.results.export import BallotRow, Option, build_election, export_text
from burgerbegroting.results.models import TallyRun


def test_build_election_is_deterministic_and_orders_ranking_best_first():
    options = [Option(2, 500, "B"), Option(1, 300, "A"), Option(3, 900, "C")]
    rows = [BallotRow("bb", ((1, 2), (3, 1))), BallotRow("aa", ((2, 1),)), BallotRow("cc", ((99, 1),))]
    kwargs = {"round_name": "R", "round_slug": "r", "district_name": "D", "budget_cents": 1000,
              "ballot_type": "ranking", "counting_rule": "greedy", "min_choices": 1, "max_choices": 2,
              "points_total": None, "options": options}
    e1 = build_election(ballots=rows, **kwargs)
    e2 = build_election(ballots=list(reversed(rows)), **kwargs)
    assert export_text(e1) == export_text(e2)
    assert [p.id for p in e1.projects] == ["1", "2", "3"]
    assert [b.voter_id for b in e1.ballots] == ["aa", "bb"]  # "cc" chose nothing on this list
    assert e1.ballots[1].projects == ("3", "1")
    text, digest = export_text(e1)
    assert len(digest) == 64
    meta = read_pb(text).meta_dict()
    assert meta["vote_type"] == "ordinal" and meta["rule"] == "greedy" and meta["num_votes"] == "2"
    assert meta["country"] == "Netherlands" and meta["budget"] == "10.00"


def test_cumulative_export_keeps_points():
    e = build_election(round_name="R", round_slug="r", district_name="D", budget_cents=1000,
                       ballot_type="cumulative", counting_rule="equal-shares", min_choices=1, max_choices=None,
                       points_total=10, options=[Option(1, 300, "A"), Option(2, 400, "B")],
                       ballots=[BallotRow("x", ((2, 7), (1, 3)))])
    back = read_pb(export_text(e)[0])
    assert back.ballots[0].projects == ("1", "2") and back.ballots[0].points == (3, 7)
    assert back.max_sum_points == 10


def test_count_is_stored_and_repeatable(counting_round):
    round_, district, proposals, _ = counting_round
    first = ops.run_count(round_, district, actor_id=None)
    second = ops.run_count(round_, district, actor_id=None)
    assert first.input_sha256 == second.input_sha256
    assert first.outcome_json == second.outcome_json
    assert first.rule == "equal-shares-add1" and first.rule_version
    assert set(first.selected_ids) <= {p.id for p in proposals}
    assert first.selected_ids  # the plans with most votes are bought
    assert proposals[0].id in first.selected_ids
    # Nothing is decided until publication.
    assert {p.status for p in proposals} == {"feasible"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "tally_stored",
                                    AuditEvent.target == f"round:{round_.id}")) == 2


def test_recount_of_stored_text_matches(counting_round):
    round_, district, _, _ = counting_round
    run = ops.run_count(round_, district, actor_id=None)
    again = ops.tally(run.pb_text, run.rule)
    assert again.selected == json.loads(run.outcome_json)["selected"]


def test_count_refused_outside_counting(counting_round):
    round_, district, _, _ = counting_round
    ops.run_all(round_, actor_id=None)
    ops.publish(round_, "klaar", actor_id=None)
    assert round_.phase_at() == Phase.RESULTS
    with pytest.raises(ops.NotCounting):
        ops.run_count(round_, district, actor_id=None)


def test_publish_needs_every_district_then_applies_statuses(counting_round):
    round_, district, proposals, elsewhere = counting_round
    ops.run_count(round_, district, actor_id=None)
    with pytest.raises(ops.NotCounted) as err:
        ops.publish(round_, "klaar", actor_id=None)
    assert err.value.districts == [d.name for d in round_.districts if d.id != district.id]
    assert {p.status for p in proposals} == {"feasible"}
    ops.run_all(round_, actor_id=None)
    run = ops.latest_tallies(round_)[district.id]
    assert ops.publish(round_, "Uitslag bekend", actor_id=None) == Phase.RESULTS
    for p in proposals:
        assert p.status == ("selected" if p.id in run.selected_ids else "not_selected")
    assert elsewhere.status == "selected"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TallyRun)
                             .where(TallyRun.round_id == round_.id)) == 3
    with pytest.raises(ops.NotCounting):
        ops.publish(round_, "nog eens", actor_id=None)


def test_what_if_compares_rules(counting_round):
    round_, district, _, _ = counting_round
    run = ops.run_count(round_, district, actor_id=None)
    w = ops.what_if(run)
    assert w.rules[0] == "equal-shares-add1" and "greedy" in w.rules
    assert w.chosen["equal-shares-add1"] == set(run.outcome["selected"])


def test_implementation_update_moves_status(counting_round):
    round_, _district, proposals, _ = counting_round
    ops.run_all(round_, actor_id=None)
    ops.publish(round_, "Uitslag", actor_id=None)
    chosen = next(p for p in proposals if p.status == "selected")
    loser = next(p for p in proposals if p.status == "not_selected")
    ops.add_update(chosen, "planned", "We bestellen de banken.", actor_id=None)
    assert chosen.status == "selected"
    ops.add_update(chosen, "in_progress", "De banken zijn besteld.", actor_id=None)
    assert chosen.status == "in_progress"
    ops.add_update(chosen, "done", "Klaar.", actor_id=None)
    assert chosen.status == "done"
    assert next(u.status for u in ops.updates_for([chosen.id])[chosen.id]) in {"done", "in_progress", "planned"}
    with pytest.raises(ops.NotFunded):
        ops.add_update(loser, "planned", "x", actor_id=None)
    with pytest.raises(ValueError):
        ops.add_update(chosen, "gone", "x", actor_id=None)
