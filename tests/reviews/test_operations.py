"""Review operations on the database (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from burgerbegroting.core import audit, mail
from burgerbegroting.extensions import db
from burgerbegroting.processes.phases import Phase
from burgerbegroting.proposals.models import ProposalEvent, Support
from burgerbegroting.reviews import operations as ops
from burgerbegroting.reviews.models import Review
from burgerbegroting.reviews.public import public_review
from tests.conftest import count, make_user
from tests.reviews.helpers import make_proposal, make_round, support


@pytest.fixture
def reviewers(app):  # type: ignore[no-untyped-def]
    return make_user("r1@example.org", ("reviewer",)), make_user("r2@example.org", ("reviewer",))


def _events(action: str) -> list[audit.AuditEvent]:
    return list(db.session.scalars(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == action)))


def test_feasible_with_changes_sets_status_cost_and_history(reviewers):
    r1, _ = reviewers
    round_ = make_round()
    proposal = make_proposal(round_, cost_cents=500_000)
    ops.save_review(proposal, r1.id, ops.Verdict("feasible_with_changes", 750_000, "Duurder door bestrating.",
                                                 "Intern: offerte X"), expected_version=proposal.version)
    db.session.commit()
    assert proposal.status == "feasible"
    assert proposal.reviewed_cost_cents == 750_000
    assert proposal.effective_cost_cents == 750_000
    kinds = [(e.kind, e.to_status, e.cost_cents, e.source) for e in proposal.history]
    assert ("cost", None, 750_000, "review") in kinds
    assert ("status", "feasible", None, None) in kinds
    outcome = public_review(proposal)
    assert outcome is not None and outcome.public_reason == "Duurder door bestrating."
    assert not hasattr(outcome, "internal_note")
    event = _events("review_saved")[-1]
    assert event.actor_id == r1.id and "offerte" not in event.payload
    assert audit.verify()[0]


def test_not_feasible_needs_a_reason(reviewers):
    r1, _ = reviewers
    proposal = make_proposal(make_round())
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.save_review(proposal, r1.id, ops.Verdict("not_feasible", 500_000, "  "), expected_version=proposal.version)
    assert exc.value.code == "reason_required"
    with pytest.raises(ops.ReviewRefused):
        ops.save_review(proposal, r1.id, ops.Verdict("feasible_with_changes", 500_000, ""), proposal.version)
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.save_review(proposal, r1.id, ops.Verdict("maybe", 500_000, "x"), proposal.version)
    assert exc.value.code == "unknown_verdict"
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.save_review(proposal, r1.id, ops.Verdict("feasible", 0), proposal.version)
    assert exc.value.code == "cost_range"
    assert count(Review) == 0 and proposal.status == "published"


def test_review_only_in_review_phase(reviewers):
    r1, _ = reviewers
    proposal = make_proposal(make_round(Phase.IDEAS))
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.save_review(proposal, r1.id, ops.Verdict("feasible", 100), proposal.version)
    assert exc.value.code == "not_review_phase"


def test_stale_version_is_a_conflict_and_changes_nothing(reviewers):
    r1, r2 = reviewers
    proposal = make_proposal(make_round())
    seen = proposal.version
    ops.save_review(proposal, r1.id, ops.Verdict("feasible", 500_000), expected_version=seen)
    db.session.commit()
    with pytest.raises(ops.VersionConflict):
        ops.save_review(proposal, r2.id, ops.Verdict("not_feasible", 500_000, "Kan niet."), expected_version=seen)
    db.session.rollback()
    assert proposal.status == "feasible"
    assert db.session.scalar(sa.select(Review.verdict)) == "feasible"


def test_four_eyes_needs_a_different_second_reviewer(reviewers):
    r1, r2 = reviewers
    proposal = make_proposal(make_round(four_eyes=True))
    ops.save_review(proposal, r1.id, ops.Verdict("not_feasible", 500_000, "Geen ruimte."), proposal.version)
    db.session.commit()
    assert proposal.status == "in_review"
    assert public_review(proposal) is None  # not final: nothing public yet
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.save_review(proposal, r1.id, ops.Verdict("not_feasible", 500_000, "Geen ruimte."), proposal.version)
    assert exc.value.code == "same_reviewer"
    db.session.rollback()
    ops.save_review(proposal, r2.id, ops.Verdict("feasible_with_changes", 600_000, "Kleinere versie kan."),
                    proposal.version)
    db.session.commit()
    assert proposal.status == "feasible" and proposal.reviewed_cost_cents == 600_000
    stages = {r.stage: r.reviewer_id for r in db.session.scalars(sa.select(Review))}
    assert stages == {1: r1.id, 2: r2.id}
    assert public_review(proposal).verdict == "feasible_with_changes"
    # A correction starts the check again.
    ops.save_review(proposal, r1.id, ops.Verdict("feasible", 600_000), proposal.version)
    db.session.commit()
    assert proposal.status == "in_review"
    assert count(Review) == 1
    assert audit.verify()[0]


def test_mark_low_support_is_idempotent_and_audited(reviewers):
    r1, _ = reviewers
    round_ = make_round(Phase.REVIEW, min_supporters=2)
    users = [make_user(f"u{i}@example.org") for i in range(3)]
    popular = make_proposal(round_)
    lonely = make_proposal(round_)
    support(popular, users[0].id, users[1].id)
    support(lonely, users[2].id)
    marked = ops.mark_low_support(round_, r1.id)
    db.session.commit()
    assert [p.id for p in marked] == [lonely.id]
    assert lonely.status == "not_enough_support" and popular.status == "published"
    assert ops.mark_low_support(round_, r1.id) == []
    db.session.commit()
    events = _events("low_support_marked")
    assert [e.target for e in events] == [f"round:{round_.id}"] * 2
    assert audit.verify()[0]


def test_mark_low_support_refused_during_ideas_or_without_minimum(reviewers):
    r1, _ = reviewers
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.mark_low_support(make_round(Phase.IDEAS, min_supporters=2), r1.id)
    assert exc.value.code == "ideas_not_over"
    with pytest.raises(ops.ReviewRefused) as exc:
        ops.mark_low_support(make_round(Phase.REVIEW, min_supporters=0), r1.id)
    assert exc.value.code == "no_minimum"


def test_merge_carries_supporters_once_and_tells_both_authors(app, reviewers):
    r1, _ = reviewers
    round_ = make_round()
    author_a = make_user("a@example.org")
    author_b = make_user("b@example.org")
    author_b.locale = "en"
    db.session.commit()
    both, only_b = make_user("both@example.org"), make_user("onlyb@example.org")
    original = make_proposal(round_, author_a.id, title="Bankjes in het park")
    duplicate = make_proposal(round_, author_b.id, title="Meer bankjes")
    support(original, both.id)
    support(duplicate, both.id, only_b.id)
    mail.outbox.clear()
    moved = ops.merge(duplicate, original, r1.id)
    db.session.commit()
    assert moved == 1
    assert duplicate.status == "merged" and duplicate.duplicate_of_id == original.id
    supporters = set(db.session.scalars(sa.select(Support.user_id).where(Support.proposal_id == original.id)))
    assert supporters == {both.id, only_b.id}
    recipients = {m["To"]: m["Subject"] for m in mail.outbox}
    assert set(recipients) == {"a@example.org", "b@example.org"}
    assert recipients["b@example.org"] == "Your proposal has been merged with a similar one"
    with app.test_request_context(), force_locale("nl"):
        assert recipients["a@example.org"] == gettext("A similar proposal has been merged with yours")
    note = db.session.scalar(sa.select(ProposalEvent.public_note).where(
        ProposalEvent.proposal_id == duplicate.id, ProposalEvent.to_status == "merged"))
    assert f"#{original.id}" in note
    assert _events("proposals_merged")[-1].payload == f'{{"into": {original.id}, "supporters_moved": 1}}'
    assert audit.verify()[0]


def test_merge_refused_across_districts_rounds_or_into_itself(reviewers):
    r1, _ = reviewers
    round_ = make_round()
    a = make_proposal(round_, district=round_.districts[0])
    b = make_proposal(round_, district=round_.districts[1])
    other = make_proposal(make_round())
    for dup, orig, code in ((b, a, "merge_other_district"), (other, a, "merge_other_district"),
                            (a, a, "merge_same")):
        with pytest.raises(ops.ReviewRefused) as exc:
            ops.merge(dup, orig, r1.id)
        assert exc.value.code == code
    assert a.status == b.status == "published"
