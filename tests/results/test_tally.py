"""Exporting stored ballots, counting them, storing and publishing the tally."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from burgerbegroting.core.audit import AuditEvent
from burgerbegroting.counting import count, read_pb
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.results import operations as ops
from burgerbegroting.results.export import BallotRow, Option, build_election, export_text, load_election
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


@pytest.mark.parametrize(("ballot_type", "rule", "rows"), [
    ("approval", "equal-shares-add1", [BallotRow("b", ((3, 1), (1, 1))), BallotRow("a", ((2, 1),)),
                                       BallotRow("c", ((1, 1), (2, 1), (3, 1))), BallotRow("d", ((9, 1),))]),
    ("knapsack", "greedy", [BallotRow("b", ((3, 1), (1, 1))), BallotRow("a", ((2, 1), (3, 1)))]),
    ("cumulative", "equal-shares", [BallotRow("x", ((2, 7), (1, 3))), BallotRow("w", ((3, 10),)),
                                    BallotRow("y", ((1, 5), (9, 5)))]),
    ("ranking", "greedy", [BallotRow("q", ((3, 1), (1, 2))), BallotRow("p", ((2, 2), (1, 1)))]),
])
def test_export_reads_back_as_the_counted_election(ballot_type, rule, rows):
    """The count runs on the built election, the hash is of its export: reading the export
    back (as a resident's recount does) must give the very same election and outcome."""
    options = [Option(1, 300_00, 'Speeltuin "De Wip"; nieuw'), Option(2, 450_50, "Bankjes, twee"),
               Option(3, 1_000_00, "Boom\nplanten")]
    e = build_election(round_name="Ronde; één", round_slug="r", district_name='Wijk "Oost"', budget_cents=1_234_56,
                       ballot_type=ballot_type, counting_rule=rule, min_choices=1,
                       max_choices=2 if ballot_type != "cumulative" else None,
                       points_total=10 if ballot_type == "cumulative" else None, options=options, ballots=rows)
    text, _digest = export_text(e)
    back = read_pb(text)
    assert back == e
    assert export_text(back)[0] == text
    assert count(back, rule).to_dict() == count(e, rule).to_dict()


def test_stored_count_equals_a_recount_of_the_stored_file(counting_round):
    round_, district, _, _ = counting_round
    run = ops.run_count(round_, district, actor_id=None)
    election = read_pb(run.pb_text)
    assert election == load_election(round_, district)
    assert json.loads(ops.outcome_json(count(election, run.rule), election)) == run.outcome
    assert hashlib.sha256(run.pb_text.encode("utf-8")).hexdigest() == run.input_sha256


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
